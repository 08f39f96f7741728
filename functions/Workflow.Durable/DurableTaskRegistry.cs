using Microsoft.Extensions.DependencyInjection;

namespace Workflow.Durable;

/// <summary>The orchestrators and activities a worker can run, by name.</summary>
public sealed class DurableTaskRegistry
{
    private readonly Dictionary<string, Type> _orchestrators = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Type> _activities = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Registers an orchestrator under <paramref name="name"/> (its type name by default).</summary>
    public DurableTaskRegistry AddOrchestrator<T>(string? name = null) where T : class, ITaskOrchestrator
    {
        Add(_orchestrators, name ?? typeof(T).Name, typeof(T), "orchestrator");
        return this;
    }

    /// <summary>Registers an activity under <paramref name="name"/> (its type name by default).</summary>
    public DurableTaskRegistry AddActivity<T>(string? name = null) where T : class, ITaskActivity
    {
        Add(_activities, name ?? typeof(T).Name, typeof(T), "activity");
        return this;
    }

    /// <summary>The registered orchestrator names.</summary>
    public IReadOnlyCollection<string> OrchestratorNames => _orchestrators.Keys;

    /// <summary>The registered activity names.</summary>
    public IReadOnlyCollection<string> ActivityNames => _activities.Keys;

    internal bool HasOrchestrator(string name) => _orchestrators.ContainsKey(name);

    internal ITaskOrchestrator? CreateOrchestrator(string name, IServiceProvider services)
        => _orchestrators.TryGetValue(name, out Type? type) ? (ITaskOrchestrator)ActivatorUtilities.CreateInstance(services, type) : null;

    internal ITaskActivity? CreateActivity(string name, IServiceProvider services)
        => _activities.TryGetValue(name, out Type? type) ? (ITaskActivity)ActivatorUtilities.CreateInstance(services, type) : null;

    private static void Add(Dictionary<string, Type> map, string name, Type type, string kind)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!map.TryAdd(name, type))
        {
            throw new ArgumentException($"An {kind} named '{name}' is already registered.", nameof(name));
        }
    }
}
