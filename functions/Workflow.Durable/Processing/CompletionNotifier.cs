using System.Collections.Concurrent;
using Workflow.Durable.Storage;

namespace Workflow.Durable.Processing;

/// <summary>
/// Wakes local waiters the moment this process commits an instance's final state, and hands them
/// that state, so waiting for completion depends neither on the polling interval nor on another
/// read. It also remembers the last few final states, for waits that start just after the commit
/// (a client that raised the event that finished the instance). Waiters still poll storage,
/// because another process may finish the instance.
/// </summary>
internal sealed class CompletionNotifier
{
    private const int RecentCapacity = 1024;

    private readonly ConcurrentDictionary<string, TaskCompletionSource<OrchestrationMetadata>> _waiters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, OrchestrationMetadata> _recent = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _recentOrder = new();

    /// <summary>The final state of an instance this process finished recently; a finished instance never changes.</summary>
    public OrchestrationMetadata? RecentlyCompleted(string instanceId) => _recent.TryGetValue(instanceId, out OrchestrationMetadata? final) ? final : null;

    /// <summary>Forgets the final state of an instance that is being purged, or whose id is being reused.</summary>
    public void ForgetRecent(string instanceId) => _recent.TryRemove(instanceId, out _);

    public Task<OrchestrationMetadata> WhenCompletedAsync(string instanceId)
        => _waiters.GetOrAdd(instanceId, static _ => new TaskCompletionSource<OrchestrationMetadata>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Drops a waiter that no longer needs waking (the instance finished elsewhere, or the wait failed).</summary>
    public void Forget(string instanceId, Task<OrchestrationMetadata> waiter)
    {
        if (_waiters.TryGetValue(instanceId, out TaskCompletionSource<OrchestrationMetadata>? source) && source.Task == waiter)
        {
            // Removes the entry only if it is still this very waiter.
            ((ICollection<KeyValuePair<string, TaskCompletionSource<OrchestrationMetadata>>>)_waiters).Remove(new(instanceId, source));
        }
    }

    /// <summary>Wakes the waiters of an instance whose final state was just committed, with inputs and outputs.</summary>
    public void NotifyCompleted(InstanceState final)
    {
        OrchestrationMetadata metadata = final.ToMetadata();
        if (_recent.TryAdd(final.InstanceId, metadata))
        {
            _recentOrder.Enqueue(final.InstanceId);
            while (_recentOrder.Count > RecentCapacity && _recentOrder.TryDequeue(out string? oldest))
            {
                _recent.TryRemove(oldest, out _);
            }
        }

        if (_waiters.TryRemove(final.InstanceId, out TaskCompletionSource<OrchestrationMetadata>? waiter))
        {
            waiter.TrySetResult(metadata);
        }
    }
}
