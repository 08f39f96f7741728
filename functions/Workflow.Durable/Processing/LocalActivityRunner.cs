using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Options;
using Workflow.Durable.Execution;

namespace Workflow.Durable.Processing;

/// <summary>
/// Runs an activity this process has just dispatched right here, instead of waiting for the queue
/// to hand its message back: the latency fast path for activities.
/// </summary>
/// <remarks>
/// The work-item message is still sent first, hidden for the work-item visibility timeout exactly as
/// if this process had received it, and deleted only after the activity's result is handled. A crash
/// therefore loses nothing: the message surfaces and any worker runs the activity. Only a process
/// whose worker runs queue listeners takes work this way (it would have received it anyway); under
/// the Functions host the queue trigger keeps deciding where activities run.
/// </remarks>
internal sealed class LocalActivityRunner(IOptions<DurableTaskOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrentActivities, options.Value.MaxConcurrentActivities);
    private readonly HashSet<Task> _running = [];
    private Func<WorkItemMessage, SendReceipt, Task>? _run;

    /// <summary>Starts taking work with <paramref name="run"/>, which handles (and deletes) a work item and never throws.</summary>
    public void Attach(Func<WorkItemMessage, SendReceipt, Task> run) => Volatile.Write(ref _run, run);

    /// <summary>Stops taking work and waits for what is running.</summary>
    public async Task DetachAsync()
    {
        Volatile.Write(ref _run, null);
        Task[] running;
        lock (_running)
        {
            running = [.. _running];
        }

        await Task.WhenAll(running).ConfigureAwait(false);
    }

    /// <summary>Takes a slot for one activity, if this process takes work and has room.</summary>
    public bool TryReserve() => Volatile.Read(ref _run) is not null && _slots.Wait(0);

    /// <summary>Gives back a slot that <see cref="Run"/> will not use.</summary>
    public void CancelReservation() => _slots.Release();

    /// <summary>Runs the work item in the background, in the slot reserved for it.</summary>
    public void Run(WorkItemMessage workItem, SendReceipt receipt)
    {
        Func<WorkItemMessage, SendReceipt, Task>? run = Volatile.Read(ref _run);
        if (run is null)
        {
            // Detached since the reservation: the hidden message comes back after its visibility timeout.
            _slots.Release();
            return;
        }

        Task task = RunInSlotAsync(run, workItem, receipt);
        lock (_running)
        {
            _running.Add(task);
        }

        _ = task.ContinueWith(
            t =>
            {
                lock (_running)
                {
                    _running.Remove(t);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    public void Dispose() => _slots.Dispose();

    private async Task RunInSlotAsync(Func<WorkItemMessage, SendReceipt, Task> run, WorkItemMessage workItem, SendReceipt receipt)
    {
        try
        {
            // Off the dispatching step's call stack: that step still holds the instance lock.
            await Task.Yield();
            await run(workItem, receipt).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }
}
