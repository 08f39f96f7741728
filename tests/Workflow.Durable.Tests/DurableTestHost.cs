using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Workflow.Durable.Processing;
using Workflow.Durable.Storage;
using Workflow.Testing;

namespace Workflow.Durable.Tests;

/// <summary>A worker process in miniature: the runtime in a generic host on the shared Azurite, with its own task hub.</summary>
internal sealed class DurableTestHost : IAsyncDisposable
{
    private readonly IHost _host;

    private DurableTestHost(IHost host, string hubName, string connectionString, LogCollector logs)
    {
        _host = host;
        HubName = hubName;
        Logs = logs;
        Hub = new RawHub(connectionString, hubName);
    }

    public string HubName { get; }

    public DurableTaskClient Client => _host.Services.GetRequiredService<DurableTaskClient>();

    public IServiceProvider Services => _host.Services;

    /// <summary>The step processor, for the crash hook.</summary>
    public OrchestrationStepProcessor Steps => _host.Services.GetRequiredService<OrchestrationStepProcessor>();

    /// <summary>The hub's storage seen through plain Azure SDK clients, independent of the runtime.</summary>
    public RawHub Hub { get; }

    /// <summary>What the runtime logged (warnings and above, plus the runtime's own debug events).</summary>
    public LogCollector Logs { get; }

    public static string NewHubName() => "t" + Guid.NewGuid().ToString("N")[..20];

    public static async Task<DurableTestHost> StartAsync(
        Action<DurableTaskRegistry> registry,
        Action<DurableTaskOptions>? configure = null,
        Action<IServiceCollection>? services = null,
        string? hubName = null)
    {
        AzuriteServer azurite = await AzuriteServer.Shared;
        hubName ??= NewHubName();
        var logs = new LogCollector();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddDurableTask(registry).Configure(o =>
        {
            o.HubName = hubName;
            o.Storage.ConnectionString = azurite.ConnectionString;
            o.MaxPollingInterval = TimeSpan.FromMilliseconds(100);
            configure?.Invoke(o);
        });
        services?.Invoke(builder.Services);
        IHost host = builder.Build();
        await host.StartAsync();

        // The worker creates the hub in the background; tests that write to it directly need it now.
        using var created = new CancellationTokenSource(Eventually.DefaultTimeout);
        await host.Services.GetRequiredService<TaskHubStorage>().EnsureCreatedAsync(created.Token);
        return new DurableTestHost(host, hubName, azurite.ConnectionString, logs);
    }

    public async Task<OrchestrationMetadata> RunAsync(string orchestrator, object? input = null, string? instanceId = null)
    {
        string id = await Client.ScheduleNewOrchestrationInstanceAsync(orchestrator, input, new StartOrchestrationOptions(instanceId));
        return await WaitAsync(id);
    }

    /// <summary>
    /// How long a test waits for an instance to finish. Generous: it only bounds a failing test, and
    /// a loaded 2-core machine runs these tests in parallel.
    /// </summary>
    public static readonly TimeSpan CompletionTimeout = TimeSpan.FromSeconds(60);

    public async Task<OrchestrationMetadata> WaitAsync(string instanceId)
    {
        using var timeout = new CancellationTokenSource(CompletionTimeout);
        try
        {
            return await Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            OrchestrationMetadata? state = await Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, getHistory: true);
            throw new TimeoutException(
                $"Instance {instanceId} did not finish within {CompletionTimeout}: {state?.RuntimeStatus}, history: "
                + string.Join(", ", state?.History?.Select(e => $"{e.EventType}#{e.EventId}/{e.TaskScheduledId}") ?? [])
                + "\nLogs:\n" + Logs.Dump());
        }
    }

    /// <summary>The instance's history, payloads included.</summary>
    public async Task<IReadOnlyList<OrchestrationHistoryEvent>> HistoryAsync(string instanceId)
        => (await Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, getHistory: true))?.History
            ?? throw new InvalidOperationException($"Instance {instanceId} does not exist.");

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _host.StopAsync(timeout.Token);
        _host.Dispose();
    }
}
