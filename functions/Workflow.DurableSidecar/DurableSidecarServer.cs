using System.Diagnostics;
using System.Net;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using P = Microsoft.DurableTask.Protobuf;

namespace Workflow.DurableSidecar;

/// <summary>
/// Microsoft.DurableTask's gRPC sidecar (<see cref="TaskHubGrpcServer"/>) over the Durable Task Framework's Azure
/// Storage engine, in this process, on a Kestrel HTTP/2 endpoint on 127.0.0.1: the engine and storage layout the
/// Durable extension uses in Azure, for a Microsoft.DurableTask worker and client pointed at <see cref="CreateChannel"/>.
/// Development tooling (local host, benchmark); the Azure Functions app never references it.
/// </summary>
/// <remarks>
/// <para>
/// One long-lived worker per sidecar: the sidecar serves one work-item stream at a time, refuses a second one while the
/// first is open, and work items that were sent to a worker that went away stay in flight until
/// <see cref="StopAsync"/> (their queue messages reappear after the visibility timeout). Any number of clients may
/// share the endpoint. Register the worker with
/// <see cref="DurableSidecarServiceCollectionExtensions.AddDurableTaskOnSidecar"/>.
/// </para>
/// <para>
/// The engine starts when the worker first connects. Starts are sent to the engine with
/// <c>ThrowExceptionOnInvalidDedupeStatus</c> on: a start whose <c>DedupeStatuses</c> match an existing instance fails
/// with <c>OrchestrationAlreadyExistsException</c> ("An Orchestration instance with the status Running already
/// exists."); a start without dedupe statuses replaces an existing instance, even a running one. The sidecar ignores
/// <c>StartOrchestrationOptions.StartAt</c> (the instance starts at once) and does not check that the target of an
/// event exists (the engine discards it with a warning).
/// </para>
/// <para>
/// Stop the sidecar before the worker's host: in-flight work items can then still complete through the worker.
/// </para>
/// </remarks>
public sealed class DurableSidecarServer : IAsyncDisposable
{
    private const int MaxHubNameLength = 45;
    private const int MinHubNameLength = 3;

    // After the stop timeout, the time given to the dispatchers to hand back what they hold, and to a forced engine stop.
    private static readonly TimeSpan AbortGrace = TimeSpan.FromSeconds(5);

    private readonly WebApplication _app;
    private readonly EngineGate _gate;
    private readonly AzureStorageOrchestrationService _engine;
    private readonly TaskHubGrpcServer _sidecar;
    private readonly ILoggerFactory? _ownedLoggerFactory;
    private readonly ILogger _logger;
    private readonly TimeSpan _stopTimeout;
    private readonly Lock _stopLock = new();
    private Task? _stop;

    private DurableSidecarServer(
        WebApplication app,
        EngineGate gate,
        AzureStorageOrchestrationService engine,
        TaskHubGrpcServer sidecar,
        Uri address,
        string hubName,
        ILoggerFactory? ownedLoggerFactory,
        ILogger logger,
        TimeSpan stopTimeout)
    {
        _app = app;
        _gate = gate;
        _engine = engine;
        _sidecar = sidecar;
        Address = address;
        HubName = hubName;
        _ownedLoggerFactory = ownedLoggerFactory;
        _logger = logger;
        _stopTimeout = stopTimeout;
    }

    /// <summary>Gets the endpoint, <c>http://127.0.0.1:&lt;port&gt;</c> (gRPC over HTTP/2 without TLS).</summary>
    public Uri Address { get; }

    /// <summary>Gets the task hub the engine serves.</summary>
    public string HubName { get; }

    /// <summary>The engine's stop state, for tests.</summary>
    internal EngineGate Gate => _gate;

    /// <summary>
    /// Creates the task hub if it does not exist, then serves the sidecar on 127.0.0.1. The engine itself starts when
    /// the worker connects.
    /// </summary>
    /// <param name="options">What to serve.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running server; stop it with <see cref="StopAsync"/> or <see cref="DisposeAsync"/>.</returns>
    /// <exception cref="ArgumentException">An option is invalid (hub name, port, engine settings).</exception>
    /// <exception cref="IOException">The port is already in use on 127.0.0.1.</exception>
    public static async Task<DurableSidecarServer> StartAsync(DurableSidecarOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.StorageConnectionString, nameof(options));
        ArgumentNullException.ThrowIfNull(options.Engine, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.Port, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Port, IPEndPoint.MaxPort, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.StopTimeout, TimeSpan.Zero, nameof(options));
        string hubName = options.HubName ?? options.Engine.HubName ?? DurableSidecarOptions.DefaultHubName;
        ValidateHubName(hubName);
        options.Engine.ValidateForEngine();

        // Poison messages and lost leases are only ever warnings: never filter those out.
        LogLevel minimumLevel = options.MinimumLogLevel > LogLevel.Warning ? LogLevel.Warning : options.MinimumLogLevel;
        // The console factory it owns filters by level itself; a factory passed in is seen through a filtering view.
        ILoggerFactory? owned = options.LoggerFactory is null
            ? LoggerFactory.Create(b => b.AddSimpleConsole(c => c.SingleLine = true).SetMinimumLevel(minimumLevel))
            : null;
        ILoggerFactory loggerFactory = owned ?? new MinimumLevelLoggerFactory(options.LoggerFactory!, minimumLevel);
        ILogger logger = loggerFactory.CreateLogger(typeof(DurableSidecarServer).FullName!);

        var settings = new AzureStorageOrchestrationServiceSettings
        {
            TaskHubName = hubName,
            StorageAccountClientProvider = new StorageAccountClientProvider(options.StorageConnectionString),
            LoggerFactory = loggerFactory,
            // Otherwise a start that hits a dedupe status is dropped without a word.
            ThrowExceptionOnInvalidDedupeStatus = true,
            // The sidecar has no entity dispatcher; entity work items stay in the orchestration queues.
            UseSeparateQueueForEntityWorkItems = false,
        };
        options.Engine.ApplyTo(settings);
        if (options.WorkerId is { Length: > 0 } workerId)
        {
            settings.WorkerId = workerId;
        }

        var engine = new AzureStorageOrchestrationService(settings);
        WebApplication? app = null;
        try
        {
            // Before anything is served: the client API works on the hub from the first call.
            await engine.CreateIfNotExistsAsync().WaitAsync(cancellationToken).ConfigureAwait(false);

            var gate = new EngineGate(engine, logger);
            app = BuildApp(options.Port, loggerFactory, gate, engine, options.StopTimeout);

            // Resolved before the start, so that it sees ApplicationStarted and ApplicationStopping.
            TaskHubGrpcServer sidecar = app.Services.GetRequiredService<TaskHubGrpcServer>();
            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e) when (e.InnerException is AddressInUseException)
            {
                throw new IOException(
                    $"The durable sidecar cannot listen on 127.0.0.1:{options.Port}: the port is already in use. It does not share a port; choose another one, or 0 for a free one.",
                    e);
            }

            Uri address = ReadAddress(app);
            Log.Listening(logger, hubName, address);
            return new DurableSidecarServer(app, gate, engine, sidecar, address, hubName, owned, logger, options.StopTimeout);
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync().ConfigureAwait(false);
            }

            engine.Dispose();
            owned?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Creates a channel to <see cref="Address"/> for a worker or client; the caller owns and disposes it. It opens more
    /// HTTP/2 connections when one is full, so long polls of clients do not hold up the worker's stream.
    /// </summary>
    /// <returns>A new channel.</returns>
    public GrpcChannel CreateChannel() =>
        GrpcChannel.ForAddress(Address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                KeepAlivePingDelay = TimeSpan.FromSeconds(60),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
            },
            DisposeHttpClient = true,
        });

    /// <summary>
    /// Stops the sidecar and waits until the engine has really stopped (its partition leases released, its pollers
    /// ended). In-flight work items get <see cref="DurableSidecarOptions.StopTimeout"/> to complete; then they are
    /// abandoned (their messages come back for the next process) and the engine is stopped anyway, so this returns
    /// within that timeout plus a few seconds. Safe to call more than once.
    /// </summary>
    /// <param name="cancellationToken">Stops the waiting, not the stop.</param>
    /// <returns>A task that completes when the sidecar has stopped.</returns>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_stopLock)
        {
            _stop ??= StopCoreAsync();
        }

        return _stop.WaitAsync(cancellationToken);
    }

    /// <summary>Stops the sidecar (see <see cref="StopAsync"/>).</summary>
    /// <returns>A task that completes when the sidecar has stopped.</returns>
    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);

    private async Task StopCoreAsync()
    {
        var elapsed = Stopwatch.StartNew();
        _gate.RequestStop();

        // Fires the sidecar's ApplicationStopping callback while Kestrel still serves: its dispatchers stop fetching,
        // wait for the work items they hold (the worker can still complete them), then stop the engine.
        _app.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        if (!await WaitAsync(_gate.Stopped, _stopTimeout).ConfigureAwait(false))
        {
            await AbortAsync().ConfigureAwait(false);
        }

        // The engine has stopped: nothing is left to serve. A cancelled token makes Kestrel drop open streams (the
        // worker's) at once instead of waiting for them.
        using (var now = new CancellationTokenSource())
        {
            await now.CancelAsync().ConfigureAwait(false);
            try
            {
                await _app.StopAsync(now.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Expected with a cancelled token.
            }
        }

        await _app.DisposeAsync().ConfigureAwait(false);
        _engine.Dispose();
        Log.Stopped(_logger, HubName, elapsed.Elapsed);
        _ownedLoggerFactory?.Dispose();
    }

    // The sidecar waits (up to an hour) for work items whose worker will never answer: hand them back, then stop.
    private async Task AbortAsync()
    {
        Log.Aborting(_logger, _stopTimeout, _gate.OutstandingActivities.Count, _gate.OutstandingOrchestrations.Count);

        // Completions are refused from now on, so the dispatchers abandon; answering for the worker ends their wait.
        _gate.BeginAbort();
        foreach ((string instanceId, int taskId) in _gate.OutstandingActivities)
        {
            await AnswerForWorkerAsync(() => _sidecar.CompleteActivityTask(
                new P.ActivityResponse
                {
                    InstanceId = instanceId,
                    TaskId = taskId,
                    FailureDetails = new P.TaskFailureDetails { ErrorType = "SidecarStopping", ErrorMessage = "The durable sidecar stopped before the activity completed." },
                },
                null!)).ConfigureAwait(false);
        }

        foreach (string instanceId in _gate.OutstandingOrchestrations)
        {
            await AnswerForWorkerAsync(() => _sidecar.CompleteOrchestratorTask(new P.OrchestratorResponse { InstanceId = instanceId }, null!)).ConfigureAwait(false);
        }

        // The dispatchers now drain, and the sidecar stops the engine itself.
        if (!await WaitAsync(_gate.Stopped, AbortGrace).ConfigureAwait(false))
        {
            Log.ForcingEngineStop(_logger);
            if (!await WaitAsync(_gate.StopEngineAsync(isForced: true, bySidecar: false), AbortGrace).ConfigureAwait(false))
            {
                Log.EngineStopTimedOut(_logger, AbortGrace);
            }
        }
    }

    private async Task AnswerForWorkerAsync(Func<Task> answer)
    {
        try
        {
            await answer().ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            // Not sent to the worker yet, or answered meanwhile.
            Log.NothingToAnswer(_logger, e);
        }
    }

    private static async Task<bool> WaitAsync(Task task, TimeSpan timeout)
    {
        try
        {
            await task.WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static WebApplication BuildApp(int port, ILoggerFactory loggerFactory, EngineGate gate, AzureStorageOrchestrationService engine, TimeSpan stopTimeout)
    {
        // The empty builder reads no configuration: nothing in the caller's environment or appsettings (URLs,
        // Kestrel endpoints) can add or change endpoints.
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(DurableSidecarServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http2);
        });

        builder.Services.AddLogging();
        builder.Services.Replace(ServiceDescriptor.Singleton(loggerFactory));
        builder.Services.AddRoutingCore();
        builder.Services.AddGrpc();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = stopTimeout + AbortGrace + AbortGrace);
        builder.Services.AddSingleton<IOrchestrationService>(gate);
        builder.Services.AddSingleton<IOrchestrationServiceClient>(engine);

        // One instance for all calls: it holds the worker's stream and the pending work items.
        builder.Services.AddSingleton<TaskHubGrpcServer>();

        WebApplication app = builder.Build();
        app.MapGrpcService<TaskHubGrpcServer>();
        return app;
    }

    private static Uri ReadAddress(WebApplication app)
    {
        IServerAddressesFeature addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()
            ?? throw new InvalidOperationException("Kestrel did not report its addresses.");
        return new Uri(addresses.Addresses.Single(), UriKind.Absolute);
    }

    private static void ValidateHubName(string hubName)
    {
        bool valid = hubName.Length is >= MinHubNameLength and <= MaxHubNameLength
            && char.IsAsciiLetter(hubName[0])
            && hubName.All(char.IsAsciiLetterOrDigit);
        if (!valid)
        {
            throw new ArgumentException(
                $"Task hub name '{hubName}' must contain only letters and digits, start with a letter, and have {MinHubNameLength} to {MaxHubNameLength} characters.",
                nameof(hubName));
        }
    }
}
