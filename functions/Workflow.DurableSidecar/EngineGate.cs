using System.Collections.Concurrent;
using DurableTask.Core;
using DurableTask.Core.History;
using Microsoft.Extensions.Logging;

namespace Workflow.DurableSidecar;

/// <summary>
/// The <see cref="IOrchestrationService"/> the sidecar's dispatchers see: the engine, plus what the sidecar lacks.
/// </summary>
/// <remarks>
/// The sidecar starts and stops the engine from <c>async void</c> lifetime callbacks: an exception there would end
/// the process, and nobody can await the stop. This gate never throws from <see cref="StartAsync"/> or
/// <see cref="StopAsync()"/>, makes both idempotent (a start that arrives after a stop was requested is ignored: the
/// sidecar starts the engine once a worker connects, even while shutting down), lets the server await
/// <see cref="Stopped"/>, and tracks the work items the dispatchers hold so that a bounded stop can release them.
/// </remarks>
internal sealed class EngineGate : IOrchestrationService
{
    private readonly IOrchestrationService _engine;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<TaskActivityWorkItem, (string InstanceId, int TaskId)> _activities = new();
    private readonly ConcurrentDictionary<TaskOrchestrationWorkItem, string> _orchestrations = new();
    private Task? _start;
    private Task? _stop;
    private bool _stopRequested;
    private volatile bool _aborting;

    public EngineGate(IOrchestrationService engine, ILogger logger)
    {
        _engine = engine;
        _logger = logger;
    }

    /// <summary>Completes once the engine has stopped, or was never started and never will be.</summary>
    public Task Stopped => _stopped.Task;

    /// <summary>Whether the sidecar itself asked for the stop (its dispatchers have drained), as opposed to the server forcing it.</summary>
    public bool StoppedBySidecar { get; private set; }

    /// <summary>The activities the dispatcher holds: locked, not yet completed or abandoned.</summary>
    public IReadOnlyCollection<(string InstanceId, int TaskId)> OutstandingActivities => [.. _activities.Values];

    /// <summary>The orchestration work items the dispatcher holds: locked, not yet released.</summary>
    public IReadOnlyCollection<string> OutstandingOrchestrations => [.. _orchestrations.Values];

    public int OutstandingCount => _activities.Count + _orchestrations.Count;

    /// <summary>From now on a start is ignored and an unstarted engine counts as stopped.</summary>
    public void RequestStop()
    {
        lock (_lock)
        {
            _stopRequested = true;
            if (_start is null)
            {
                _stop ??= Task.CompletedTask;
                _stopped.TrySetResult();
            }
        }
    }

    /// <summary>From now on completions are refused, so that the dispatchers abandon what they hold.</summary>
    public void BeginAbort() => _aborting = true;

    /// <summary>Stops the engine, once, whoever asks first; never throws.</summary>
    public Task StopEngineAsync(bool isForced, bool bySidecar)
    {
        lock (_lock)
        {
            _stopRequested = true;
            if (_stop is not null)
            {
                return _stop;
            }

            StoppedBySidecar = bySidecar;
            _stop = _start is null ? Task.CompletedTask : StopCoreAsync(_start, isForced);
            _ = _stop.ContinueWith(_ => _stopped.TrySetResult(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return _stop;
        }
    }

    private async Task StopCoreAsync(Task start, bool isForced)
    {
        try
        {
            await start.ConfigureAwait(false);
            await _engine.StopAsync(isForced).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Reached from the sidecar's async void callback: an exception would end the process.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.EngineStopFailed(_logger, e);
        }
    }

    public Task StartAsync()
    {
        lock (_lock)
        {
            if (_stopRequested)
            {
                Log.StartIgnored(_logger);
                return Task.CompletedTask;
            }

            _start ??= StartCoreAsync();
            return _start;
        }
    }

    private async Task StartCoreAsync()
    {
        try
        {
            await _engine.StartAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Reached from the sidecar's async void callback: an exception would end the process.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.EngineStartFailed(_logger, e);
        }
    }

    public Task StopAsync() => StopEngineAsync(isForced: false, bySidecar: true);

    public Task StopAsync(bool isForced) => StopEngineAsync(isForced, bySidecar: true);

    public Task CreateAsync() => _engine.CreateAsync();

    public Task CreateAsync(bool recreateInstanceStore) => _engine.CreateAsync(recreateInstanceStore);

    public Task CreateIfNotExistsAsync() => _engine.CreateIfNotExistsAsync();

    public Task DeleteAsync() => _engine.DeleteAsync();

    public Task DeleteAsync(bool deleteInstanceStore) => _engine.DeleteAsync(deleteInstanceStore);

    public bool IsMaxMessageCountExceeded(int currentMessageCount, OrchestrationRuntimeState runtimeState) =>
        _engine.IsMaxMessageCountExceeded(currentMessageCount, runtimeState);

    public int GetDelayInSecondsAfterOnProcessException(Exception exception) => _engine.GetDelayInSecondsAfterOnProcessException(exception);

    public int GetDelayInSecondsAfterOnFetchException(Exception exception) => _engine.GetDelayInSecondsAfterOnFetchException(exception);

    public int TaskOrchestrationDispatcherCount => _engine.TaskOrchestrationDispatcherCount;

    public int MaxConcurrentTaskOrchestrationWorkItems => _engine.MaxConcurrentTaskOrchestrationWorkItems;

    public BehaviorOnContinueAsNew EventBehaviourForContinueAsNew => _engine.EventBehaviourForContinueAsNew;

    public int TaskActivityDispatcherCount => _engine.TaskActivityDispatcherCount;

    public int MaxConcurrentTaskActivityWorkItems => _engine.MaxConcurrentTaskActivityWorkItems;

    public async Task<TaskOrchestrationWorkItem> LockNextTaskOrchestrationWorkItemAsync(TimeSpan receiveTimeout, CancellationToken cancellationToken)
    {
        await ParkIfStoppingAsync(cancellationToken).ConfigureAwait(false);
        TaskOrchestrationWorkItem workItem = await _engine.LockNextTaskOrchestrationWorkItemAsync(receiveTimeout, cancellationToken).ConfigureAwait(false);
        if (workItem is not null)
        {
            _orchestrations[workItem] = workItem.InstanceId;
        }

        return workItem!;
    }

    public Task RenewTaskOrchestrationWorkItemLockAsync(TaskOrchestrationWorkItem workItem) => _engine.RenewTaskOrchestrationWorkItemLockAsync(workItem);

    public Task CompleteTaskOrchestrationWorkItemAsync(
        TaskOrchestrationWorkItem workItem,
        OrchestrationRuntimeState newOrchestrationRuntimeState,
        IList<TaskMessage> outboundMessages,
        IList<TaskMessage> orchestratorMessages,
        IList<TaskMessage> timerMessages,
        TaskMessage continuedAsNewMessage,
        OrchestrationState orchestrationState)
    {
        ThrowIfAborting();
        return _engine.CompleteTaskOrchestrationWorkItemAsync(
            workItem, newOrchestrationRuntimeState, outboundMessages, orchestratorMessages, timerMessages, continuedAsNewMessage, orchestrationState);
    }

    public Task AbandonTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => _engine.AbandonTaskOrchestrationWorkItemAsync(workItem);

    public async Task ReleaseTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem)
    {
        try
        {
            await _engine.ReleaseTaskOrchestrationWorkItemAsync(workItem).ConfigureAwait(false);
        }
        finally
        {
            _orchestrations.TryRemove(workItem, out _);
        }
    }

    public async Task<TaskActivityWorkItem> LockNextTaskActivityWorkItem(TimeSpan receiveTimeout, CancellationToken cancellationToken)
    {
        await ParkIfStoppingAsync(cancellationToken).ConfigureAwait(false);
        TaskActivityWorkItem workItem = await _engine.LockNextTaskActivityWorkItem(receiveTimeout, cancellationToken).ConfigureAwait(false);
        if (workItem?.TaskMessage?.Event is TaskScheduledEvent scheduled)
        {
            _activities[workItem] = (workItem.TaskMessage.OrchestrationInstance.InstanceId, scheduled.EventId);
        }

        return workItem!;
    }

    public Task<TaskActivityWorkItem> RenewTaskActivityWorkItemLockAsync(TaskActivityWorkItem workItem) => _engine.RenewTaskActivityWorkItemLockAsync(workItem);

    public async Task CompleteTaskActivityWorkItemAsync(TaskActivityWorkItem workItem, TaskMessage responseMessage)
    {
        ThrowIfAborting();
        await _engine.CompleteTaskActivityWorkItemAsync(workItem, responseMessage).ConfigureAwait(false);
        _activities.TryRemove(workItem, out _);
    }

    public async Task AbandonTaskActivityWorkItemAsync(TaskActivityWorkItem workItem)
    {
        try
        {
            await _engine.AbandonTaskActivityWorkItemAsync(workItem).ConfigureAwait(false);
        }
        finally
        {
            _activities.TryRemove(workItem, out _);
        }
    }

    // The sidecar may start its dispatchers after the stop (a worker that connects while it stops): they must not
    // poll the queues of a stopped or never-started engine. They wait here until they are cancelled, or forever.
    private async Task ParkIfStoppingAsync(CancellationToken cancellationToken)
    {
        bool stopping;
        lock (_lock)
        {
            stopping = _stopRequested;
        }

        if (stopping)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
    }

    private void ThrowIfAborting()
    {
        if (_aborting)
        {
            // The dispatcher abandons the work item: its messages become visible again for the next process.
            throw new OperationCanceledException("The durable sidecar is stopping: the work item is abandoned, not committed.");
        }
    }
}
