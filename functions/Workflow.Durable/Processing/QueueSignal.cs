namespace Workflow.Durable.Processing;

/// <summary>
/// Tells a local queue listener that this process just sent it a message, so it polls now
/// instead of at the end of its back-off.
/// </summary>
internal sealed class QueueSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Set()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _signal.Dispose();
}

/// <summary>The signals of the two runtime queues.</summary>
internal sealed class QueueSignals : IDisposable
{
    public QueueSignal Control { get; } = new();

    public QueueSignal WorkItems { get; } = new();

    public void Dispose()
    {
        Control.Dispose();
        WorkItems.Dispose();
    }
}
