using Grpc.Net.Client;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.DurableTask.Worker.Grpc;
using Microsoft.DurableTask.Worker.Grpc.Internal;
using Microsoft.Extensions.DependencyInjection;

namespace Workflow.DurableSidecar;

/// <summary>Registers a Microsoft.DurableTask worker and client that talk to a <see cref="DurableSidecarServer"/>.</summary>
public static class DurableSidecarServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Microsoft.DurableTask worker (a hosted service) and <see cref="DurableTaskClient"/> over
    /// <paramref name="channel"/>, from <see cref="DurableSidecarServer.CreateChannel"/>; the caller keeps owning the
    /// channel and disposes it after the host. The worker is set up for the sidecar: it never drops its work-item
    /// stream for want of health pings (the sidecar sends none, and serves one stream at a time).
    /// </summary>
    /// <remarks>
    /// The engine's <see cref="DurableTaskEngineSettings.MaxConcurrentActivityFunctions"/> and
    /// <see cref="DurableTaskEngineSettings.MaxConcurrentOrchestratorFunctions"/> bound what the sidecar sends; the
    /// worker's own <see cref="DurableTaskWorkerOptions.Concurrency"/> limits (100 × processor count by default) only
    /// matter when set lower. The worker's host stops it within <c>HostOptions.ShutdownTimeout</c>; stop the sidecar
    /// first so that in-flight work items can complete.
    /// </remarks>
    /// <param name="services">The host's services.</param>
    /// <param name="channel">A channel to the sidecar.</param>
    /// <param name="tasks">Registers the orchestrators and activities.</param>
    /// <param name="configureWorker">Further worker options (data converter, concurrency), or <see langword="null"/>.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddDurableTaskOnSidecar(
        this IServiceCollection services,
        GrpcChannel channel,
        Action<DurableTaskRegistry> tasks,
        Action<DurableTaskWorkerOptions>? configureWorker = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(tasks);

        services.AddDurableTaskWorker(builder =>
        {
            builder.UseGrpc(options =>
            {
                options.Channel = channel;

                // The worker reconnects after 2 minutes without a message unless told otherwise; the sidecar sends no
                // health pings, and a reconnect races the old stream's teardown there, which can leave the
                // dispatchers paused with a worker connected.
                options.SetSilentDisconnectTimeout(TimeSpan.Zero);
            });
            builder.AddTasks(tasks);
            if (configureWorker is not null)
            {
                builder.Configure(configureWorker);
            }
        });
        services.AddDurableTaskClient(builder => builder.UseGrpc(channel));
        return services;
    }
}
