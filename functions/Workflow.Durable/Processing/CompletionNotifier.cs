using System.Collections.Concurrent;

namespace Workflow.Durable.Processing;

/// <summary>
/// Wakes local waiters the moment this process commits an instance's final state, so waiting
/// for completion does not depend on the polling interval. Waiters still poll storage, because
/// another process may finish the instance.
/// </summary>
internal sealed class CompletionNotifier
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiters = new(StringComparer.Ordinal);

    public Task WhenCompletedAsync(string instanceId)
        => _waiters.GetOrAdd(instanceId, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void NotifyCompleted(string instanceId)
    {
        if (_waiters.TryRemove(instanceId, out TaskCompletionSource? waiter))
        {
            waiter.TrySetResult();
        }
    }
}
