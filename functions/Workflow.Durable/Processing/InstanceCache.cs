using System.Collections.Concurrent;
using Workflow.Durable.Storage;

namespace Workflow.Durable.Processing;

/// <summary>
/// Keeps recently stepped instances in memory so the next step skips the storage read. An entry
/// is only a guess: the commit's ETag check catches any change made elsewhere.
/// </summary>
internal sealed class InstanceCache(int capacity)
{
    private readonly ConcurrentDictionary<string, InstanceState> _states = new(StringComparer.Ordinal);

    /// <summary>Removes and returns the entry, so a failed step can never leave a half-updated state behind.</summary>
    public InstanceState? Take(string instanceId) => _states.TryRemove(instanceId, out InstanceState? state) ? state : null;

    /// <summary>Returns the entry without removing it: read only what a step never changes in place.</summary>
    public InstanceState? Peek(string instanceId) => _states.TryGetValue(instanceId, out InstanceState? state) ? state : null;

    public void Put(InstanceState state)
    {
        if (capacity == 0)
        {
            return;
        }

        if (_states.Count >= capacity)
        {
            // Crude but bounded: dropping an arbitrary entry only costs that instance one extra read.
            foreach (string key in _states.Keys.Take(Math.Max(1, capacity / 10)))
            {
                _states.TryRemove(key, out _);
            }
        }

        _states[state.InstanceId] = state;
    }

    public void Remove(string instanceId) => _states.TryRemove(instanceId, out _);
}
