using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Workflow.Testing;

namespace Workflow.Durable.Tests;

/// <summary>A worker process in miniature: the runtime in a generic host on the shared Azurite, with its own task hub.</summary>
internal sealed class DurableTestHost : IAsyncDisposable
{
    private readonly IHost _host;

    private DurableTestHost(IHost host, string hubName)
    {
        _host = host;
        HubName = hubName;
    }

    public string HubName { get; }

    public DurableTaskClient Client => _host.Services.GetRequiredService<DurableTaskClient>();

    public IServiceProvider Services => _host.Services;

    public static string NewHubName() => "t" + Guid.NewGuid().ToString("N")[..20];

    public static async Task<DurableTestHost> StartAsync(
        Action<DurableTaskRegistry> registry,
        Action<DurableTaskOptions>? configure = null,
        Action<IServiceCollection>? services = null,
        string? hubName = null)
    {
        AzuriteServer azurite = await AzuriteServer.Shared;
        hubName ??= NewHubName();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
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
        return new DurableTestHost(host, hubName);
    }

    public async Task<OrchestrationMetadata> RunAsync(string orchestrator, object? input = null, string? instanceId = null)
    {
        string id = await Client.ScheduleNewOrchestrationInstanceAsync(orchestrator, input, new StartOrchestrationOptions(instanceId));
        return await WaitAsync(id);
    }

    public async Task<OrchestrationMetadata> WaitAsync(string instanceId)
    {
        using var timeout = new CancellationTokenSource(Eventually.DefaultTimeout);
        return await Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
