using System.Text.Json.Serialization;
using Azure.Data.Tables;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Workflow.Api;
using Workflow.Api.Commands;
using Workflow.DurableSidecar;

namespace Workflow.Benchmarks;

/// <summary>
/// A second instance of the product on a local host's task hub that owns no partition: what serves a PIN on a
/// scaled-out app when the command's control queue belongs to another instance. The product's PIN endpoint
/// (<see cref="CommandHandlers.SubmitPinAsync"/>: token check, lockout, PIN round claim, sealed event, registered by
/// <see cref="CommandsApiServiceCollectionExtensions.AddVehicleCommandsApi"/> with the owner's configuration, so the
/// same secrets and data-protection key) in an ASP.NET app of its own, whose Durable client talks to a
/// <see cref="DurableSidecarServer"/> of its own (its own <c>AzureStorageOrchestrationService</c>, the
/// configuration's settings, the same hub) to which no worker ever connects: that engine is never started, so it
/// leases no partition and polls nothing, and its enqueue of the PIN event resets the back-off of nobody's poller.
/// </summary>
internal sealed class PinOnlyInstance : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly DurableSidecarServer _sidecar;
    private readonly GrpcChannel _channel;
    private readonly WebApplication _app;
    private readonly ILoggerFactory _logs;
    private readonly TableClient _partitions;
    private readonly string _ownerWorkerId;

    private PinOnlyInstance(DurableSidecarServer sidecar, GrpcChannel channel, WebApplication app, ILoggerFactory logs, HttpClient http, TableClient partitions, string ownerWorkerId)
    {
        _sidecar = sidecar;
        _channel = channel;
        _app = app;
        _logs = logs;
        Http = http;
        _partitions = partitions;
        _ownerWorkerId = ownerWorkerId;
    }

    /// <summary>The second instance's HTTP API (the PIN route only).</summary>
    public HttpClient Http { get; }

    /// <summary>
    /// Starts the client-only engine and the PIN endpoint next to <paramref name="owner"/>, with its configuration
    /// (<see cref="LocalHostTarget.Settings"/>) and the same engine settings.
    /// </summary>
    public static async Task<PinOnlyInstance> StartAsync(BenchContext bench, EngineConfig config, LocalHostTarget owner)
    {
        ArgumentNullException.ThrowIfNull(bench);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(owner);
        CancellationToken ct = bench.CancellationToken;
        ILoggerFactory logs = LoggerFactory.Create(b => b
            .AddSimpleConsole(o => o.SingleLine = true)
            .AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning)
            .SetMinimumLevel(BenchEngine.EngineLogLevel));
        DurableSidecarServer? sidecar = null;
        GrpcChannel? channel = null;
        WebApplication? app = null;
        try
        {
            sidecar = await DurableSidecarServer.StartAsync(
                new DurableSidecarOptions
                {
                    StorageConnectionString = bench.ConnectionString,
                    HubName = owner.HubName,
                    Engine = config.Settings,
                    LoggerFactory = logs,
                    MinimumLogLevel = BenchEngine.EngineLogLevel,
                    // Never used: no worker connects, so the engine never starts and never takes a lease.
                    WorkerId = owner.WorkerId + "-pins",
                    StopTimeout = StopTimeout,
                },
                ct).ConfigureAwait(false);
            channel = sidecar.CreateChannel();

            WebApplicationBuilder builder = WebApplication.CreateBuilder(
                ["--environment=Development", "--contentRoot=" + AppContext.BaseDirectory, "--urls=http://127.0.0.1:0"]);
            builder.Configuration.AddInMemoryCollection(owner.Settings);
            builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
            builder.Services.AddProblemDetails();
            builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
            builder.Services.AddVehicleCommandsApi(builder.Configuration, builder.Environment);

            // A client only: no AddDurableTaskWorker, so nothing ever connects a work-item stream to this sidecar.
            builder.Services.AddDurableTaskClient(b => b.UseGrpc(channel));
            app = builder.Build();
            app.UseExceptionHandler();
            app.UseStatusCodePages();
            app.MapGroup("/" + CommandRoutes.Prefix).MapPost(CommandRoutes.Pin, (string id, HttpRequest request, DurableTaskClient client, CommandHandlers handlers, CancellationToken cancellationToken)
                => handlers.SubmitPinAsync(request, client, id, cancellationToken));
            await app.StartAsync(ct).ConfigureAwait(false);

            string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var http = new HttpClient { BaseAddress = new Uri(address.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(60) };
            var partitions = new TableClient(bench.ConnectionString, owner.HubName + "Partitions");
            return new PinOnlyInstance(sidecar, channel, app, logs, http, partitions, owner.WorkerId);
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync().ConfigureAwait(false);
            }

            if (sidecar is not null)
            {
                await sidecar.DisposeAsync().ConfigureAwait(false);
            }

            channel?.Dispose();
            logs.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads the hub's partition table (uncounted) and fails unless the owner holds every partition: the PINs must
    /// land on control queues that only the owner polls. <c>null</c> when the configuration leases with blobs.
    /// </summary>
    public async Task<int?> CheckOwnershipAsync(EngineConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!config.Settings.UseTablePartitionManagement)
        {
            return null;
        }

        var owners = new List<string?>();
        using (StorageMeter.Uncounted())
        {
            await foreach (TableEntity row in _partitions.QueryAsync<TableEntity>(cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                owners.Add(row.GetString("CurrentOwner"));
            }
        }

        if (owners.Count != config.Settings.PartitionCount || owners.Any(o => o != _ownerWorkerId))
        {
            throw new InvalidOperationException(
                $"The PINs must go to partitions owned by the local host ({_ownerWorkerId}) alone; the partition table says: {string.Join(", ", owners.Select(o => o ?? "(none)"))}.");
        }

        return owners.Count;
    }

    /// <summary>Stops the endpoint, then the (never started) engine.</summary>
    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        try
        {
            using var stopping = new CancellationTokenSource(StopTimeout);
            try
            {
                await _app.StopAsync(stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Past its bound the app is abandoned: it holds nothing durable.
            }

            await _app.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            await _sidecar.DisposeAsync().ConfigureAwait(false);
            _channel.Dispose();
            _logs.Dispose();
        }
    }
}
