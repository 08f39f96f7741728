using System.Text.Json.Serialization;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Workflow.Api;
using Workflow.Api.Commands;
using Workflow.DurableSidecar;
using Workflow.LocalHost.LocalStack;
using Workflow.LocalHost.Security;
using Workflow.Vehicles;

namespace Workflow.LocalHost;

/// <summary>
/// The product without the Functions host: the same orchestrator, activities and HTTP handlers as the Functions app,
/// on a Microsoft.DurableTask worker and client connected to the gRPC sidecar over the Durable Task Framework's Azure
/// Storage engine (the engine and storage layout the Durable extension uses in Azure), plus the product API on
/// 127.0.0.1:7071 with the function key, plus in Development Azurite and the vehicle simulator.
/// </summary>
/// <remarks>
/// Start order: local stack (storage and gateway), engine, app. Stop order: the engine first, while the worker is still
/// connected, so work in flight completes or is handed back to the queues; then the app; then the local stack. Each
/// part stops within its bound.
/// </remarks>
public sealed class LocalHostApp : IAsyncDisposable
{
    /// <summary>Where the product API listens when nothing else is configured: the Functions default port, loopback only.</summary>
    public const string DefaultUrl = "http://127.0.0.1:7071";

    /// <summary>How long each part may take to stop.</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly WebApplication _app;
    private readonly DurableSidecarServer _engine;
    private readonly GrpcChannel _channel;
    private readonly LocalStack.LocalStack _stack;
    private readonly ILoggerFactory _engineLoggers;
    private int _disposed;

    private LocalHostApp(WebApplication app, DurableSidecarServer engine, GrpcChannel channel, LocalStack.LocalStack stack, ILoggerFactory engineLoggers, Uri baseAddress)
    {
        _app = app;
        _engine = engine;
        _channel = channel;
        _stack = stack;
        _engineLoggers = engineLoggers;
        BaseAddress = baseAddress;
    }

    /// <summary>The product API's address (the port actually bound).</summary>
    public Uri BaseAddress { get; }

    /// <summary>The app's services (the Durable client, options, …).</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>The Durable client the handlers use.</summary>
    public DurableTaskClient Client => _app.Services.GetRequiredService<DurableTaskClient>();

    /// <summary>
    /// Starts everything and returns once the product API answers.
    /// </summary>
    /// <param name="args">Command-line arguments (configuration, e.g. <c>--urls=http://127.0.0.1:0</c>).</param>
    /// <param name="configure">Runs on the builder before anything reads configuration: tests add their settings here.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<LocalHostApp> StartAsync(string[] args, Action<WebApplicationBuilder>? configure = null, CancellationToken cancellationToken = default)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        if (!HasConfiguredAddress(builder.Configuration))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        // The local stack and the engine start before the app has a logger factory, so they log through their own.
        ILoggerFactory engineLoggers = LoggerFactory.Create(logging => logging.AddConfiguration(builder.Configuration.GetSection("Logging")).AddSimpleConsole(o => o.SingleLine = true));
        LocalStackOptions stackOptions = builder.Configuration.GetSection(LocalStackOptions.SectionName).Get<LocalStackOptions>() ?? new LocalStackOptions();
        LocalStack.LocalStack stack;
        try
        {
            stack = builder.Environment.IsDevelopment() && stackOptions.Enabled
                ? await LocalStack.LocalStack.StartAsync(builder.Configuration, stackOptions, builder.Environment.ContentRootPath, engineLoggers, cancellationToken).ConfigureAwait(false)
                : LocalStack.LocalStack.None;
        }
        catch
        {
            engineLoggers.Dispose();
            throw;
        }

        DurableSidecarServer? engine = null;
        GrpcChannel? channel = null;
        try
        {
            // The same settings the Functions host reads: host.json, overridden like the host's AzureFunctionsJobHost__… variables.
            DurableTaskEngineSettings settings = EngineSettings.Read(builder.Configuration, builder.Environment.ContentRootPath);
            engine = await DurableSidecarServer.StartAsync(
                new DurableSidecarOptions
                {
                    StorageConnectionString = builder.Configuration[StorageConnection.SettingName]
                        ?? throw new InvalidOperationException($"No storage is configured: set {StorageConnection.SettingName} to a connection string (the local host reaches storage with a connection string only)."),
                    Engine = settings,
                    LoggerFactory = engineLoggers,
                    StopTimeout = StopTimeout,

                    // Each process its own: two local hosts on one hub split its partitions instead of both claiming them.
                    WorkerId = builder.Configuration["LocalHost:WorkerId"] ?? $"{Environment.MachineName}-{Environment.ProcessId}",
                },
                cancellationToken).ConfigureAwait(false);

            // The app's worker and client talk to the engine over it; it outlives the app (disposed after it).
            channel = engine.CreateChannel();
            ConfigureServices(builder, channel);
            if (builder.Environment.IsDevelopment() && stackOptions.PrintDemo)
            {
                builder.Services.AddSingleton(new DemoBanner.Stack(stack.AzuritePorts, stack.SimulatorAddress));
                builder.Services.AddHostedService<DemoBanner>();
            }

            WebApplication app = builder.Build();
            MapRoutes(app);

            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                await app.DisposeAsync().ConfigureAwait(false);
                throw new InvalidOperationException(
                    $"The product API cannot listen where it was asked to ({ex.Message}). Stop the program that uses that port, "
                    + $"or pass another address, e.g. --urls=http://127.0.0.1:7171 (port 0 takes a free one).",
                    ex);
            }

            string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new LocalHostApp(app, engine, channel, stack, engineLoggers, new Uri(address.TrimEnd('/') + "/"));
        }
        catch
        {
            channel?.Dispose();
            if (engine is not null)
            {
                await engine.DisposeAsync().ConfigureAwait(false);
            }

            await stack.DisposeAsync().ConfigureAwait(false);
            engineLoggers.Dispose();
            throw;
        }
    }

    /// <summary>Completes when the app is asked to stop (Ctrl+C, SIGTERM).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    /// <summary>Stops the engine, then the app, then the local stack, each within <see cref="StopTimeout"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        // Disposing the engine stops it, within its own bound (DurableSidecarOptions.StopTimeout): work it cannot finish
        // goes back to its queue.
        await _engine.DisposeAsync().ConfigureAwait(false);
        using (var stopping = new CancellationTokenSource(StopTimeout))
        {
            try
            {
                await _app.StopAsync(stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Past its bound the app is abandoned as it is: nothing of it is durable.
            }
        }

        await _app.DisposeAsync().ConfigureAwait(false);
        _channel.Dispose();
        await _stack.DisposeAsync().ConfigureAwait(false);
        _engineLoggers.Dispose();
    }

    private static void ConfigureServices(WebApplicationBuilder builder, GrpcChannel engineChannel)
    {
        // The hosting layer logs every request URL at Information, query string included, and both the
        // function key (?code=) and the PIN token (?token=) travel there. Nothing below Warning from it.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = StopTimeout);

        IServiceCollection services = builder.Services;
        services.AddProblemDetails(o => o.CustomizeProblemDetails = DescribeStatusCodeProblem);
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddVehicleCommandsApi(builder.Configuration, builder.Environment);
        services.AddDurableTaskOnSidecar(engineChannel, registry => registry.AddVehicleWorkflow());

        // Hosted services start in registration order: refuse to serve before the key is known.
        services.AddSingleton<FunctionKeys>();
        services.AddHostedService<FunctionKeyStartupCheck>();
        Telemetry.Configure(builder);
    }

    private static void MapRoutes(WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<FunctionKeyMiddleware>();

        // The routes of the Functions app's triggers, on the same handlers.
        RouteGroupBuilder commands = app.MapGroup("/" + CommandRoutes.Prefix);
        commands.MapPost(CommandRoutes.Start, (HttpRequest request, DurableTaskClient client, CommandHandlers handlers, CancellationToken cancellationToken)
            => handlers.StartAsync(request, client, cancellationToken));
        commands.MapGet(CommandRoutes.Status, (string id, HttpRequest request, DurableTaskClient client, CommandHandlers handlers, CancellationToken cancellationToken)
            => handlers.GetStatusAsync(request, client, id, cancellationToken));
        commands.MapPost(CommandRoutes.Pin, (string id, HttpRequest request, DurableTaskClient client, CommandHandlers handlers, CancellationToken cancellationToken)
            => handlers.SubmitPinAsync(request, client, id, cancellationToken));
    }

    // Routing answers an unknown path (404) and a known one with another method (405) without a body; the status
    // code pages turn those into problems, and this says what went wrong and what the API takes.
    private static void DescribeStatusCodeProblem(ProblemDetailsContext context)
    {
        if (context.ProblemDetails.Detail is not null)
        {
            return;
        }

        HttpRequest request = context.HttpContext.Request;
        context.ProblemDetails.Detail = context.ProblemDetails.Status switch
        {
            StatusCodes.Status404NotFound => $"There is no route {request.Path}. The API's routes: {CommandRoutes.Summary}.",
            StatusCodes.Status405MethodNotAllowed => $"{request.Method} is not allowed on {request.Path}. The API's routes: {CommandRoutes.Summary}.",
            _ => "The request was refused.",
        };
    }

    private static bool HasConfiguredAddress(ConfigurationManager configuration)
        => !string.IsNullOrWhiteSpace(configuration["urls"])
            || !string.IsNullOrWhiteSpace(configuration["http_ports"])
            || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();
}
