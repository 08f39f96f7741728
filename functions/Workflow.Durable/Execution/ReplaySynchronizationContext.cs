namespace Workflow.Durable.Execution;

/// <summary>
/// Runs every continuation of orchestrator code on the thread that executes the step, in the order
/// they were posted. This is what makes replay deterministic: nothing the orchestrator awaits can
/// resume on another thread or at another time.
/// </summary>
internal sealed class ReplaySynchronizationContext : SynchronizationContext
{
    private const int MaxContinuationsPerStep = 1_000_000;
    private readonly Queue<(SendOrPostCallback Callback, object? State)> _work = new();

    public override void Post(SendOrPostCallback d, object? state) => _work.Enqueue((d, state));

    public override void Send(SendOrPostCallback d, object? state) => d(state);

    /// <summary>Runs queued continuations until the orchestrator is blocked on a durable task.</summary>
    public void Drain()
    {
        for (int i = 0; _work.Count > 0; i++)
        {
            if (i >= MaxContinuationsPerStep)
            {
                throw new InvalidOperationException("The orchestrator did not yield to a durable task after a million continuations; it probably loops without awaiting the context.");
            }

            (SendOrPostCallback callback, object? state) = _work.Dequeue();
            callback(state);
        }
    }
}
