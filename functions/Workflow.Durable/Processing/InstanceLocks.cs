namespace Workflow.Durable.Processing;

/// <summary>
/// One async lock per instance id inside this process, so local steps of the same instance queue
/// up instead of racing on the ETag. Other processes are kept out by the ETag alone.
/// </summary>
internal sealed class InstanceLocks
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public async Task<IDisposable> AcquireAsync(string instanceId, CancellationToken cancellationToken)
    {
        Entry entry;
        lock (_entries)
        {
            if (!_entries.TryGetValue(instanceId, out entry!))
            {
                entry = new Entry();
                _entries[instanceId] = entry;
            }

            entry.Users++;
        }

        try
        {
            await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Release(instanceId, entry, entered: false);
            throw;
        }

        return new Releaser(this, instanceId, entry);
    }

    private void Release(string instanceId, Entry entry, bool entered)
    {
        if (entered)
        {
            entry.Gate.Release();
        }

        lock (_entries)
        {
            if (--entry.Users == 0)
            {
                _entries.Remove(instanceId);
                entry.Gate.Dispose();
            }
        }
    }

    private sealed class Entry
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public int Users { get; set; }
    }

    private sealed class Releaser(InstanceLocks owner, string instanceId, Entry entry) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Release(instanceId, entry, entered: true);
            }
        }
    }
}
