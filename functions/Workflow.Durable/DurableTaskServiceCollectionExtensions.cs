using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Workflow.Durable.Processing;
using Workflow.Durable.Storage;

namespace Workflow.Durable;

/// <summary>Registers the durable runtime in a service collection.</summary>
public static class DurableTaskServiceCollectionExtensions
{
    /// <summary>
    /// Adds the runtime: <see cref="DurableTaskClient"/>, <see cref="DurableTaskWorker"/> (also as a
    /// hosted service) and the orchestrators and activities registered by <paramref name="configureRegistry"/>.
    /// Plug an <see cref="IPayloadProtector"/> in before or after; the default stores payloads as they are.
    /// </summary>
    /// <returns>The options builder, to bind and configure <see cref="DurableTaskOptions"/>; they are validated at start-up.</returns>
    public static OptionsBuilder<DurableTaskOptions> AddDurableTask(this IServiceCollection services, Action<DurableTaskRegistry> configureRegistry)
    {
        ArgumentNullException.ThrowIfNull(configureRegistry);
        var registry = new DurableTaskRegistry();
        configureRegistry(registry);
        services.AddSingleton(registry);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IPayloadProtector, IdentityPayloadProtector>();
        services.AddSingleton(sp => new TaskHubStorage(
            sp.GetRequiredService<IOptions<DurableTaskOptions>>().Value,
            sp.GetRequiredService<IPayloadProtector>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<TaskHubStorage>>()));
        services.AddSingleton(sp => new InstanceCache(sp.GetRequiredService<IOptions<DurableTaskOptions>>().Value.InstanceCacheSize));
        services.AddSingleton<InstanceLocks>();
        services.AddSingleton<CompletionNotifier>();
        services.AddSingleton<QueueSignals>();
        services.AddSingleton<LocalActivityRunner>();
        services.AddSingleton<OrchestrationStepProcessor>();
        services.AddSingleton<ActivityProcessor>();
        services.AddSingleton(sp => new DurableTaskClient(
            sp.GetRequiredService<TaskHubStorage>(),
            sp.GetRequiredService<OrchestrationStepProcessor>(),
            sp.GetRequiredService<DurableTaskRegistry>(),
            sp.GetRequiredService<CompletionNotifier>(),
            sp.GetRequiredService<QueueSignals>(),
            sp.GetRequiredService<InstanceCache>(),
            sp.GetRequiredService<IOptions<DurableTaskOptions>>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new DurableTaskWorker(
            sp.GetRequiredService<TaskHubStorage>(),
            sp.GetRequiredService<OrchestrationStepProcessor>(),
            sp.GetRequiredService<ActivityProcessor>(),
            sp.GetRequiredService<LocalActivityRunner>(),
            sp.GetRequiredService<QueueSignals>(),
            sp.GetRequiredService<IOptions<DurableTaskOptions>>(),
            sp.GetRequiredService<ILogger<DurableTaskWorker>>()));
        services.AddHostedService(sp => sp.GetRequiredService<DurableTaskWorker>());

        return services.AddOptions<DurableTaskOptions>()
            .ValidateDataAnnotations()
            .Validate(
                o => !string.IsNullOrWhiteSpace(o.Storage.ConnectionString)
                    || (o.Storage.Credential is not null && (!string.IsNullOrWhiteSpace(o.Storage.AccountName) || (o.Storage.TableServiceUri is not null && o.Storage.QueueServiceUri is not null && o.Storage.BlobServiceUri is not null))),
                "DurableTask:Storage is not configured: set a ConnectionString (e.g. UseDevelopmentStorage=true), or an AccountName (or the three service URIs) with a Credential.")
            .ValidateOnStart();
    }
}
