using Microsoft.Extensions.Logging;

namespace Workflow.DurableSidecar;

/// <summary>
/// How <see cref="DurableSidecarServer"/> runs: which storage account and task hub, on which loopback port, with which
/// engine settings and logs.
/// </summary>
public sealed class DurableSidecarOptions
{
    /// <summary>The task hub used when neither <see cref="HubName"/> nor <see cref="DurableTaskEngineSettings.HubName"/> names one.</summary>
    public const string DefaultHubName = "VehicleCommands";

    /// <summary>Gets the Azure Storage connection string of the account that holds the task hub (Azurite locally).</summary>
    public required string StorageConnectionString { get; init; }

    /// <summary>
    /// Gets the task hub name: letters and digits, 3 to 45 characters, starting with a letter (the rule of the Durable
    /// extension). <see langword="null"/> (the default) takes <see cref="DurableTaskEngineSettings.HubName"/> of
    /// <see cref="Engine"/> (the <c>hubName</c> of host.json), else <see cref="DefaultHubName"/>.
    /// </summary>
    public string? HubName { get; init; }

    /// <summary>
    /// Gets the TCP port on 127.0.0.1 to serve gRPC (HTTP/2 without TLS) on. 0 (the default) lets the OS choose a free
    /// port; read it back from <see cref="DurableSidecarServer.Address"/>. A port that something else already listens
    /// on makes <see cref="DurableSidecarServer.StartAsync"/> fail; the sidecar never shares a port.
    /// </summary>
    public int Port { get; init; }

    /// <summary>
    /// Gets the logger factory for the engine (DTFx Azure Storage), the sidecar and its Kestrel endpoint. Poison
    /// messages and lost leases are reported only there, as warnings. <see langword="null"/> (the default) logs to the
    /// console. The factory is not disposed by the server.
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>
    /// Gets the lowest level passed on to <see cref="LoggerFactory"/> from the engine, the sidecar and Kestrel.
    /// The default, <see cref="LogLevel.Warning"/>, shows poison messages, lease losses and storage errors without the
    /// engine's per-message information logs. Higher levels are lowered to <see cref="LogLevel.Warning"/>: the engine
    /// reports poison messages only as warnings.
    /// </summary>
    public LogLevel MinimumLogLevel { get; init; } = LogLevel.Warning;

    /// <summary>Gets the engine settings: the Durable extension's host.json settings that map onto the engine.</summary>
    public DurableTaskEngineSettings Engine { get; init; } = new();

    /// <summary>
    /// Gets the name this process uses to own control-queue partitions. <see langword="null"/> (the default) is the
    /// engine's default, the machine name. A process that restarts under the same name takes its partitions back at
    /// once (useful after a kill -9); under a new name it waits for the dead owner's
    /// lease to expire (<see cref="DurableTaskEngineSettings.LeaseInterval"/> plus up to one
    /// <see cref="DurableTaskEngineSettings.LeaseAcquireInterval"/>). Two processes that serve the same task hub at
    /// the same time must use different names.
    /// </summary>
    public string? WorkerId { get; init; }

    /// <summary>
    /// Gets how long <see cref="DurableSidecarServer.StopAsync"/> lets in-flight work items finish before it abandons
    /// them and stops the engine anyway. The default is 30 seconds.
    /// </summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
