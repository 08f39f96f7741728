using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Workflow.Durable.Execution;
using Workflow.Durable.Storage;

namespace Workflow.Durable.Processing;

/// <summary>What happened to the messages handed to a step.</summary>
internal enum StepOutcome
{
    /// <summary>The messages are reflected in history (now or before): safe to delete them.</summary>
    Done,

    /// <summary>No such instance: the messages can never apply.</summary>
    InstanceNotFound,

    /// <summary>Other writers kept winning; try again later.</summary>
    Contended,
}

/// <summary>
/// Runs one step of an orchestration: load (or reuse) its state, turn messages into new history
/// events, replay the orchestrator, and commit history, instance row and outbox in one guarded
/// transaction; then dispatch the outbox. Every driver (queue listener, Functions trigger, inline
/// fast path) goes through here, so the correctness rules live in one place.
/// </summary>
internal sealed class OrchestrationStepProcessor(
    TaskHubStorage storage,
    DurableTaskRegistry registry,
    IServiceScopeFactory scopes,
    IOptions<DurableTaskOptions> options,
    TimeProvider time,
    InstanceCache cache,
    InstanceLocks locks,
    CompletionNotifier completions,
    QueueSignals signals,
    LocalActivityRunner localActivities,
    ILogger<OrchestrationStepProcessor> logger)
{
    private const int MaxCommitAttempts = 10;
    private static readonly TimeSpan TimerTolerance = TimeSpan.FromSeconds(1);
    private readonly DurableTaskOptions _options = options.Value;

    /// <summary>Test hook: runs after a step commits and before its outbox is dispatched.</summary>
    internal Func<string, CancellationToken, Task>? AfterCommitBeforeDispatch { get; set; }

    /// <summary>Runs a step for <paramref name="messages"/>, retrying when another writer commits first.</summary>
    /// <param name="instanceId">The instance.</param>
    /// <param name="messages">Its messages; the caller deletes them once this returns anything but <see cref="StepOutcome.Contended"/>.</param>
    /// <param name="anchor">For a step no queue message backs yet: sent before an outbox is committed.</param>
    /// <param name="cancellationToken">Cancels the step.</param>
    public async Task<StepOutcome> ProcessAsync(string instanceId, IReadOnlyList<ControlMessage> messages, InlineAnchor? anchor, CancellationToken cancellationToken)
    {
        (StepOutcome outcome, OutboxEntry? dispatched) = await ProcessUnderLockAsync(instanceId, messages, anchor, cancellationToken).ConfigureAwait(false);
        if (dispatched is not null)
        {
            // Bookkeeping outside the lock, so the instance's next step (often the result of an activity
            // this step just started here) does not wait for it.
            await storage.TryDeleteOutboxAsync(instanceId, dispatched.RowKey, cancellationToken).ConfigureAwait(false);
        }

        return outcome;
    }

    private async Task<(StepOutcome Outcome, OutboxEntry? Dispatched)> ProcessUnderLockAsync(
        string instanceId, IReadOnlyList<ControlMessage> messages, InlineAnchor? anchor, CancellationToken cancellationToken)
    {
        using IDisposable instanceLock = await locks.AcquireAsync(instanceId, cancellationToken).ConfigureAwait(false);
        for (int attempt = 1; attempt <= MaxCommitAttempts; attempt++)
        {
            // A cached state may lag behind a step another worker committed. Committing from it is safe
            // (the ETag catches it), but dropping a message because the cached state does not know what
            // it refers to (a task a newer step scheduled, a newer execution) would lose that message for
            // good, with no commit to fail: only a fresh read may decide that.
            InstanceState? state = cache.Take(instanceId);
            if (state is not null && !messages.All(state.Recognizes))
            {
                state = null;
            }

            state ??= await storage.LoadAsync(instanceId, cancellationToken).ConfigureAwait(false);
            if (state is null)
            {
                return (StepOutcome.InstanceNotFound, null);
            }

            if (state.PendingOutbox.Count > 0)
            {
                DurableDiagnostics.OutboxRecovered(logger, instanceId);
                await DispatchAndClearAsync(instanceId, state.PendingOutbox, cancellationToken).ConfigureAwait(false);
                state.PendingOutbox.Clear();
            }

            StepResult result = await TryStepAsync(state, messages, attempt, anchor, cancellationToken).ConfigureAwait(false);
            if (result.Committed is not false)
            {
                return (StepOutcome.Done, result.Dispatched);
            }

            DurableDiagnostics.StepConflict(logger, instanceId, attempt);
        }

        return (StepOutcome.Contended, null);
    }

    /// <summary>
    /// The fast path: same as <see cref="ProcessAsync"/>, but failures are only logged, because the caller
    /// then falls back to the queue.
    /// </summary>
    public async Task<bool> TryProcessInlineAsync(string instanceId, IReadOnlyList<ControlMessage> messages, InlineAnchor? anchor, CancellationToken cancellationToken)
    {
        try
        {
            return await ProcessAsync(instanceId, messages, anchor, cancellationToken).ConfigureAwait(false) == StepOutcome.Done;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            DurableDiagnostics.InlineStepFailed(logger, instanceId, ex);
            return false;
        }
    }

    private async Task<StepResult> TryStepAsync(InstanceState state, IReadOnlyList<ControlMessage> messages, int attempt, InlineAnchor? anchor, CancellationToken cancellationToken)
    {
        DateTimeOffset now = time.GetUtcNow();
        (List<HistoryEvent> received, string? terminateReason, int dropped) = await ReadMessagesAsync(state, messages, now, cancellationToken).ConfigureAwait(false);
        if (dropped > 0)
        {
            DurableDiagnostics.MessagesDropped(logger, state.InstanceId, dropped);
        }

        bool starting = state.Status == OrchestrationRuntimeStatus.Pending;
        if (state.IsTerminal || (!starting && received.Count == 0 && terminateReason is null))
        {
            cache.Put(state);
            return StepResult.NothingToDo;
        }

        using Activity? span = DurableDiagnostics.Source.StartActivity($"orchestration {state.Name}");
        span?.SetTag("durable.instance_id", state.InstanceId);
        span?.SetTag("durable.attempt", attempt);

        var stepEvents = new List<HistoryEvent> { new() { Type = HistoryEventType.OrchestratorStarted, Timestamp = now } };
        if (starting)
        {
            stepEvents.Add(new HistoryEvent { Type = HistoryEventType.ExecutionStarted, Timestamp = state.CreatedAt, Name = state.Name, Payload = state.Input });
        }

        stepEvents.AddRange(received);
        ExecutionResult result = terminateReason is not null
            ? Terminate(now, terminateReason)
            : Execute(state, stepEvents);
        int firstSequence = state.History.Count;
        (OutboxEntry? outbox, IReadOnlyList<HistoryEvent> newEvents) = await BuildOutboxAsync(state, firstSequence, result.NewEvents, cancellationToken).ConfigureAwait(false);
        stepEvents.AddRange(newEvents);
        var next = new InstanceState
        {
            InstanceId = state.InstanceId,
            Name = state.Name,
            ExecutionId = state.ExecutionId,
            Status = result.Status,
            CreatedAt = state.CreatedAt,
            LastUpdatedAt = now,
            Input = state.Input,
            StoredInput = state.StoredInput,
            Output = result.Output,
            CustomStatus = terminateReason is null ? result.CustomStatus : state.CustomStatus,
            StoredCustomStatus = state.StoredCustomStatus,
            StoredCustomStatusClear = state.StoredCustomStatusClear,
            Failure = result.Failure,
            History = [.. state.History, .. stepEvents],
        };

        if (outbox is not null && anchor is not null)
        {
            // Without a message in the queue, a crash right after the commit would strand the outbox.
            await anchor.EnsureSentAsync(cancellationToken).ConfigureAwait(false);
        }

        ETag? etag = await storage.TryCommitAsync(next, state.ETag, firstSequence, stepEvents, outbox, cancellationToken).ConfigureAwait(false);
        if (etag is null)
        {
            return StepResult.LostRace;
        }

        next.ETag = etag.Value;
        span?.SetTag("durable.status", next.Status.ToString());
        DurableDiagnostics.StepCommitted(logger, next.InstanceId, next.Name, next.Status, stepEvents.Count, outbox?.WorkItems.Count ?? 0, outbox?.ControlMessages.Count ?? 0);

        if (AfterCommitBeforeDispatch is { } hook)
        {
            await hook(next.InstanceId, cancellationToken).ConfigureAwait(false);
        }

        if (outbox is not null)
        {
            await DispatchAsync(next.InstanceId, outbox, cancellationToken).ConfigureAwait(false);
        }

        if (next.IsTerminal)
        {
            DurableDiagnostics.InstanceFinished(logger, next.InstanceId, next.Name, next.Status);
            completions.NotifyCompleted(next);
        }
        else if (etag.Value != default)
        {
            cache.Put(next);
        }

        return new StepResult(true, outbox);
    }

    private async Task<(List<HistoryEvent> Events, string? TerminateReason, int Dropped)> ReadMessagesAsync(
        InstanceState state, IReadOnlyList<ControlMessage> messages, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var events = new List<HistoryEvent>();
        var completedInBatch = new HashSet<int>();
        var eventsInBatch = new HashSet<string>(StringComparer.Ordinal);
        string? terminateReason = null;
        int dropped = 0;
        foreach (ControlMessage message in messages)
        {
            if (state.IsTerminal || message.ExecutionId != state.ExecutionId)
            {
                dropped++;
                continue;
            }

            switch (message.Kind)
            {
                case ControlMessageKind.Start:
                    break;
                case ControlMessageKind.TaskCompleted or ControlMessageKind.TaskFailed or ControlMessageKind.TimerFired
                    when !state.HasScheduled(message.TaskScheduledId) || state.HasCompleted(message.TaskScheduledId) || !completedInBatch.Add(message.TaskScheduledId):
                    dropped++;
                    break;
                case ControlMessageKind.TaskCompleted:
                    events.Add(new HistoryEvent
                    {
                        Type = HistoryEventType.TaskCompleted,
                        Timestamp = now,
                        TaskScheduledId = message.TaskScheduledId,
                        Payload = await ClearPayloadAsync(message, cancellationToken).ConfigureAwait(false),
                        StoredPayload = message.Payload,
                    });
                    break;
                case ControlMessageKind.TaskFailed:
                    events.Add(new HistoryEvent
                    {
                        Type = HistoryEventType.TaskFailed,
                        Timestamp = now,
                        TaskScheduledId = message.TaskScheduledId,
                        Failure = message.ClearFailure ?? await storage.ReadFailureAsync(message.Failure, cancellationToken).ConfigureAwait(false),
                        StoredFailure = message.Failure,
                    });
                    break;
                case ControlMessageKind.TimerFired when message.FireAt > now + TimerTolerance:
                    // Not due yet: the queue caps delays at 7 days, so long timers hop until they are.
                    completedInBatch.Remove(message.TaskScheduledId);
                    TimeSpan remaining = message.FireAt.Value - now;
                    await storage.SendControlAsync(message, remaining > TaskHubStorage.MaxMessageDelay ? TaskHubStorage.MaxMessageDelay : remaining, cancellationToken).ConfigureAwait(false);
                    dropped++;
                    break;
                case ControlMessageKind.TimerFired:
                    events.Add(new HistoryEvent { Type = HistoryEventType.TimerFired, Timestamp = now, TaskScheduledId = message.TaskScheduledId, FireAt = message.FireAt });
                    break;
                case ControlMessageKind.EventRaised when state.HasApplied(message.MessageId) || !eventsInBatch.Add(message.MessageId):
                    dropped++;
                    break;
                case ControlMessageKind.EventRaised:
                    events.Add(new HistoryEvent
                    {
                        Type = HistoryEventType.EventRaised,
                        Timestamp = now,
                        Name = message.Name,
                        MessageId = message.MessageId,
                        Payload = await ClearPayloadAsync(message, cancellationToken).ConfigureAwait(false),
                        StoredPayload = message.Payload,
                    });
                    break;
                case ControlMessageKind.Terminate:
                    terminateReason ??= await ClearPayloadAsync(message, cancellationToken).ConfigureAwait(false) ?? "null";
                    break;
                default:
                    dropped++;
                    break;
            }
        }

        return (events, terminateReason, dropped);
    }

    private async Task<string?> ClearPayloadAsync(ControlMessage message, CancellationToken cancellationToken)
        => message.ClearPayload ?? await storage.ReadPayloadAsync(message.Payload, cancellationToken).ConfigureAwait(false);

    private ExecutionResult Execute(InstanceState state, List<HistoryEvent> stepEvents)
    {
        using IServiceScope scope = scopes.CreateScope();
        ITaskOrchestrator? orchestrator = registry.CreateOrchestrator(state.Name, scope.ServiceProvider);
        if (orchestrator is null)
        {
            DurableDiagnostics.OrchestratorNotRegistered(logger, state.InstanceId, state.Name);
            var failure = new TaskFailureDetails(typeof(InvalidOperationException).FullName!, $"No orchestrator named '{state.Name}' is registered in this worker.");
            return new ExecutionResult
            {
                NewEvents = [new HistoryEvent { Type = HistoryEventType.ExecutionCompleted, Timestamp = stepEvents[0].Timestamp, Status = OrchestrationRuntimeStatus.Failed, Failure = failure }],
                Status = OrchestrationRuntimeStatus.Failed,
                Failure = failure,
                CustomStatus = state.CustomStatus,
            };
        }

        return OrchestrationExecutor.Execute(orchestrator, state.InstanceId, state.History, stepEvents, _options.SerializerOptions);
    }

    private static ExecutionResult Terminate(DateTimeOffset now, string reasonJson) => new()
    {
        NewEvents = [new HistoryEvent { Type = HistoryEventType.ExecutionTerminated, Timestamp = now, Payload = reasonJson }],
        Status = OrchestrationRuntimeStatus.Terminated,
        Output = reasonJson,
    };

    /// <summary>
    /// Turns the step's scheduled tasks and timers into outgoing messages. Returns the new events too,
    /// each scheduled task carrying the input as written for its message, so the history row reuses it.
    /// </summary>
    private async Task<(OutboxEntry? Outbox, IReadOnlyList<HistoryEvent> NewEvents)> BuildOutboxAsync(
        InstanceState state, int firstSequence, IReadOnlyList<HistoryEvent> newEvents, CancellationToken cancellationToken)
    {
        var events = new List<HistoryEvent>(newEvents.Count);
        var workItems = new List<WorkItemMessage>();
        var timers = new List<ScheduledControlMessage>();
        foreach (HistoryEvent e in newEvents)
        {
            if (e.Type == HistoryEventType.TaskScheduled)
            {
                string? storedInput = await storage.WritePayloadAsync(state.InstanceId, e.Payload, cancellationToken).ConfigureAwait(false);
                workItems.Add(new WorkItemMessage
                {
                    InstanceId = state.InstanceId,
                    ExecutionId = state.ExecutionId,
                    TaskScheduledId = e.EventId,
                    Name = e.Name!,
                    Payload = storedInput,
                    ClearPayload = e.Payload,
                });
                events.Add(e with { StoredPayload = storedInput });
                continue;
            }

            if (e.Type == HistoryEventType.TimerCreated)
            {
                var message = new ControlMessage
                {
                    Kind = ControlMessageKind.TimerFired,
                    InstanceId = state.InstanceId,
                    ExecutionId = state.ExecutionId,
                    MessageId = Guid.NewGuid().ToString("N"),
                    TaskScheduledId = e.EventId,
                    FireAt = e.FireAt,
                };
                timers.Add(new ScheduledControlMessage(message, e.FireAt));
            }

            events.Add(e);
        }

        OutboxEntry? outbox = workItems.Count == 0 && timers.Count == 0
            ? null
            : new OutboxEntry("o" + firstSequence.ToString("D8", CultureInfo.InvariantCulture), timers, workItems);
        return (outbox, events);
    }

    /// <summary>Dispatches outbox entries left by interrupted steps and deletes their rows.</summary>
    private async Task DispatchAndClearAsync(string instanceId, IEnumerable<OutboxEntry> entries, CancellationToken cancellationToken)
    {
        foreach (OutboxEntry entry in entries)
        {
            await DispatchAsync(instanceId, entry, cancellationToken).ConfigureAwait(false);
            await storage.DeleteOutboxAsync(instanceId, entry.RowKey, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task DispatchAsync(string instanceId, OutboxEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(entry.WorkItems.Select(w => DispatchWorkItemAsync(w, cancellationToken)).Append(storage.SendScheduledAsync(entry.ControlMessages, cancellationToken))).ConfigureAwait(false);
        }
        catch
        {
            // The outbox row stays; whoever loads the instance next dispatches it again.
            cache.Remove(instanceId);
            throw;
        }
    }

    private async Task DispatchWorkItemAsync(WorkItemMessage workItem, CancellationToken cancellationToken)
    {
        if (!localActivities.TryReserve())
        {
            await storage.SendWorkItemAsync(workItem, hiddenFor: null, cancellationToken).ConfigureAwait(false);
            signals.WorkItems.Set();
            return;
        }

        SendReceipt receipt;
        try
        {
            receipt = await storage.SendWorkItemAsync(workItem, _options.WorkItemVisibilityTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            localActivities.CancelReservation();
            throw;
        }

        localActivities.Run(workItem, receipt);
    }

    internal static string SerializeReason(object? reason) => JsonSerializer.Serialize(reason, StorageJson.Options);

    /// <summary>What one attempt at a step did.</summary>
    /// <param name="Committed"><c>null</c> when there was nothing to do, <c>false</c> when another writer committed first.</param>
    /// <param name="Dispatched">The outbox the step committed and dispatched, whose row is left to delete.</param>
    private readonly record struct StepResult(bool? Committed, OutboxEntry? Dispatched)
    {
        public static StepResult NothingToDo => new(null, null);

        public static StepResult LostRace => new(false, null);
    }
}
