using System.Collections.Concurrent;

namespace Workflow.Benchmarks;

/// <summary>
/// Watches many instances with one uncounted scan of the Instances table every 100 ms (instead of one status poll per
/// instance): plays the user who waits for a stage, without adding storage requests to the figures.
/// </summary>
internal sealed class InstanceWatcher : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private readonly InstanceTable _table;
    private readonly ConcurrentDictionary<Waiter, byte> _waiters = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public InstanceWatcher(InstanceTable table)
    {
        _table = table;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Completes with the first row seen for <paramref name="instanceId"/> that satisfies <paramref name="condition"/>.</summary>
    public async Task<InstanceRow> WaitAsync(string instanceId, Func<InstanceRow, bool> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var waiter = new Waiter(instanceId, condition);
        _waiters[waiter] = 0;
        try
        {
            return await waiter.Seen.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            InstanceRow? last = waiter.Last;
            throw new TimeoutException(
                $"Instance {instanceId} did not reach the awaited state within {timeout}; last seen: "
                + (last is null ? "no row" : $"{last.RuntimeStatus}, custom status {last.CustomStatus}, output {last.Output}"),
                e);
        }
        finally
        {
            _waiters.TryRemove(waiter, out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            await Task.Delay(Interval, _stop.Token).ConfigureAwait(false);
            if (_waiters.IsEmpty)
            {
                continue;
            }

            Dictionary<string, InstanceRow> rows;
            try
            {
                rows = (await _table.ListAsync(_stop.Token).ConfigureAwait(false)).ToDictionary(r => r.InstanceId, StringComparer.Ordinal);
            }
            catch (Azure.RequestFailedException)
            {
                continue;
            }

            foreach (Waiter waiter in _waiters.Keys)
            {
                if (rows.TryGetValue(waiter.InstanceId, out InstanceRow? row))
                {
                    waiter.Last = row;
                    if (waiter.Condition(row))
                    {
                        waiter.Seen.TrySetResult(row);
                    }
                }
            }
        }
    }

    // Compared by reference: two waits on one instance are two waiters.
    private sealed class Waiter(string instanceId, Func<InstanceRow, bool> condition)
    {
        public string InstanceId { get; } = instanceId;

        public Func<InstanceRow, bool> Condition { get; } = condition;

        public InstanceRow? Last { get; set; }

        public TaskCompletionSource<InstanceRow> Seen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
