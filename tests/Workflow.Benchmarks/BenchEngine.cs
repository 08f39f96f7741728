using Grpc.Net.Client;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Workflow.DurableSidecar;

namespace Workflow.Benchmarks;

/// <summary>
/// One engine under test: <see cref="DurableSidecarServer"/> (DTFx Azure Storage behind Microsoft.DurableTask's gRPC
/// sidecar) on its own task hub with one configuration's settings, and a host running the Microsoft.DurableTask worker
/// and client of the benchmark's orchestrations over it. What the local host runs, without the product API.
/// </summary>
internal sealed class BenchEngine : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly DurableSidecarServer _sidecar;
    private readonly GrpcChannel _channel;
    private readonly IHost _host;

    private BenchEngine(EngineConfig config, string hubName, DurableSidecarServer sidecar, GrpcChannel channel, IHost host, InstanceTable instances)
    {
        Config = config;
        HubName = hubName;
        _sidecar = sidecar;
        _channel = channel;
        _host = host;
        Instances = instances;
        Client = host.Services.GetRequiredService<DurableTaskClient>();
    }

    /// <summary>The engine's log level: Warning, or <c>BENCH_ENGINE_LOG_LEVEL</c> to look into a run.</summary>
    public static LogLevel EngineLogLevel { get; } =
        Enum.TryParse(Environment.GetEnvironmentVariable("BENCH_ENGINE_LOG_LEVEL"), ignoreCase: true, out LogLevel level) ? level : LogLevel.Warning;

    public EngineConfig Config { get; }

    public string HubName { get; }

    public DurableTaskClient Client { get; }

    public InstanceTable Instances { get; }

    public static async Task<BenchEngine> StartAsync(EngineConfig config, string hubName, string connectionString, ILoggerFactory engineLogs, CancellationToken cancellationToken)
    {
        DurableSidecarServer sidecar = await DurableSidecarServer.StartAsync(
            new DurableSidecarOptions
            {
                StorageConnectionString = connectionString,
                HubName = hubName,
                Engine = config.Settings,
                LoggerFactory = engineLogs,
                MinimumLogLevel = EngineLogLevel,
                WorkerId = "bench-" + hubName,
                StopTimeout = StopTimeout,
            },
            cancellationToken).ConfigureAwait(false);
        GrpcChannel channel = sidecar.CreateChannel();
        try
        {
            HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
            {
                DisableDefaults = true,
                ContentRootPath = AppContext.BaseDirectory,
            });
            builder.Services.AddSingleton(engineLogs);
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = StopTimeout);
            builder.Services.AddDurableTaskOnSidecar(channel, BenchTasks.Register);
            IHost host = builder.Build();
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
            return new BenchEngine(config, hubName, sidecar, channel, host, new InstanceTable(connectionString, hubName));
        }
        catch
        {
            await sidecar.DisposeAsync().ConfigureAwait(false);
            channel.Dispose();
            throw;
        }
    }

    /// <summary>Runs <paramref name="count"/> one-activity orchestrations to completion: JIT, partitions claimed, pollers awake.</summary>
    public async Task WarmUpAsync(int count, CancellationToken cancellationToken)
    {
        string[] ids = await Task.WhenAll(Enumerable.Range(0, count).Select(_ =>
            Client.ScheduleNewOrchestrationInstanceAsync(BenchTasks.Single, cancellation: cancellationToken))).ConfigureAwait(false);
        await Instances.WaitAllAsync(ids, r => r.IsCompleted, TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the sidecar (bounded), then the worker's host.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            using var stopping = new CancellationTokenSource(StopTimeout);
            await _sidecar.StopAsync(stopping.Token).ConfigureAwait(false);
        }
        finally
        {
            using (var stopping = new CancellationTokenSource(StopTimeout))
            {
                await _host.StopAsync(stopping.Token).ConfigureAwait(false);
            }

            _host.Dispose();
            await _sidecar.DisposeAsync().ConfigureAwait(false);
            _channel.Dispose();
        }
    }
}
