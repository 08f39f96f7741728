using Microsoft.DurableTask;

namespace Workflow.Vehicles.Orchestration;

/// <summary>
/// One PIN round of a command: its number, the status it publishes and its deadline, as a durable timer that keeps
/// running while submissions that are not this round's PIN are ignored, and is cancelled once the round has its PIN.
/// </summary>
internal sealed class PinWait : IDisposable
{
    private readonly CancellationTokenSource _timer = new();

    public PinWait(int round, VehicleCommandStatus status, TaskOrchestrationContext context, DateTime deadline)
    {
        Round = round;
        Status = status;
        Timeout = context.CreateTimer(deadline, _timer.Token);
    }

    /// <summary>1 for the first wait, then one more for each PIN the gateway refused.</summary>
    public int Round { get; }

    /// <summary>The custom status while this round waits.</summary>
    public VehicleCommandStatus Status { get; }

    /// <summary>Completes at the deadline.</summary>
    public Task Timeout { get; }

    /// <summary>The round has its PIN: its timer is no longer needed.</summary>
    public void End()
    {
        _timer.Cancel();
        Dispose();
    }

    public void Dispose() => _timer.Dispose();
}
