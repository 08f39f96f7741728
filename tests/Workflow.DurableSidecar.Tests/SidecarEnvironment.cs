using Grpc.Net.Client;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Workflow.Testing;

namespace Workflow.DurableSidecar.Tests;

/// <summary>
/// A sidecar on Azurite plus a host (Host.CreateApplicationBuilder) running the Microsoft.DurableTask worker and
/// client over its channel: what a local host does. Disposal stops the sidecar first, then the host.
/// </summary>
internal sealed class SidecarEnvironment : IAsyncDisposable
{
    private SidecarEnvironment(DurableSidecarServer server, GrpcChannel channel, IHost host, LogCollector logs)
    {
        Server = server;
        Channel = channel;
        Host = host;
        Logs = logs;
        Client = host.Services.GetRequiredService<DurableTaskClient>();
    }

    /// <summary>Settings that keep tests quick: few partitions, 1 s polling, visibility timeouts under a minute.</summary>
    public static DurableTaskEngineSettings FastEngine { get; } = new()
    {
        PartitionCount = 2,
        MaxQueuePollingInterval = TimeSpan.FromSeconds(1),
        ControlQueueVisibilityTimeout = TimeSpan.FromSeconds(30),
        WorkItemQueueVisibilityTimeout = TimeSpan.FromSeconds(30),
    };

    public DurableSidecarServer Server { get; }

    public GrpcChannel Channel { get; }

    public IHost Host { get; }

    public DurableTaskClient Client { get; }

    public LogCollector Logs { get; }

    /// <summary>A task hub of its own: letters and digits, starting with a letter.</summary>
    public static string NewHubName() => "T" + Guid.NewGuid().ToString("N");

    public static async Task<SidecarEnvironment> StartAsync(
        string hubName, DurableTaskEngineSettings? engine = null, string? workerId = null, TimeSpan? stopTimeout = null, LogCollector? logs = null)
    {
        AzuriteServer azurite = await AzuriteServer.Shared;
        logs ??= new LogCollector();
        DurableSidecarServer server = await DurableSidecarServer.StartAsync(
            new DurableSidecarOptions
            {
                StorageConnectionString = azurite.ConnectionString,
                HubName = hubName,
                LoggerFactory = logs,
                Engine = engine ?? FastEngine,
                WorkerId = workerId,
                StopTimeout = stopTimeout ?? TimeSpan.FromSeconds(30),
            },
            CancellationToken.None);

        GrpcChannel channel = server.CreateChannel();
        HostApplicationBuilder builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.AddProvider(logs);
        builder.Services.AddDurableTaskOnSidecar(channel, TestTasks.Register);
        IHost host = builder.Build();
        await host.StartAsync();
        return new SidecarEnvironment(server, channel, host, logs);
    }

    /// <summary>Polls until the instance has finished, and returns its final state.</summary>
    public Task<OrchestrationMetadata> WaitForFinishAsync(string instanceId, TimeSpan? timeout = null) =>
        WaitForAsync(instanceId, m => m.IsCompleted, "to finish", timeout);

    /// <summary>Polls until the instance's state satisfies <paramref name="condition"/>; a timeout carries the logs.</summary>
    public async Task<OrchestrationMetadata> WaitForAsync(string instanceId, Func<OrchestrationMetadata, bool> condition, string what, TimeSpan? timeout = null)
    {
        try
        {
            return await Eventually.GetAsync(
                async () => await Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true) is { } metadata && condition(metadata) ? metadata : null,
                $"instance {instanceId} {what}",
                timeout);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\nLogs:\n{Logs.Dump()}", e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Server.StopAsync(CancellationToken.None);
        }
        finally
        {
            await Host.StopAsync();
            Host.Dispose();
            Channel.Dispose();
        }
    }
}
