using System.Text.Json;

namespace Workflow.Durable.Execution;

/// <summary>
/// Replays an orchestrator over its history plus the step's new events and reports what it wants
/// to do next. Pure: no I/O, no clock; the same inputs always give the same result.
/// </summary>
internal static class OrchestrationExecutor
{
    public static ExecutionResult Execute(
        ITaskOrchestrator orchestrator,
        string instanceId,
        IReadOnlyList<HistoryEvent> pastEvents,
        IReadOnlyList<HistoryEvent> newEvents,
        JsonSerializerOptions serializerOptions)
    {
        var syncContext = new ReplaySynchronizationContext();
        var context = new ReplayOrchestrationContext(instanceId, pastEvents, serializerOptions);
        Task<object?>? run = null;
        SynchronizationContext? previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(syncContext);
        try
        {
            foreach (HistoryEvent e in pastEvents)
            {
                Apply(e, isReplaying: true);
            }

            foreach (HistoryEvent e in newEvents)
            {
                Apply(e, isReplaying: false);
            }

            context.IsReplayingValue = false;
            context.VerifyAllPastActionsReplayed();
        }
        catch (NonDeterministicOrchestrationException ex)
        {
            // The first divergence names both the recorded and the new call; the check that past
            // calls were all replayed only sees its consequence ("no longer schedules it").
            return Fail(context, context.NonDeterminism ?? ex);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }

        if (context.NonDeterminism is { } nonDeterminism)
        {
            return Fail(context, nonDeterminism);
        }

        if (run is null || !run.IsCompleted)
        {
            return new ExecutionResult
            {
                NewEvents = context.NewActions,
                Status = OrchestrationRuntimeStatus.Running,
                CustomStatus = context.SerializedCustomStatus,
            };
        }

        if (run.IsCompletedSuccessfully)
        {
            string output = JsonSerializer.Serialize(run.Result, serializerOptions);
            return Complete(context, OrchestrationRuntimeStatus.Completed, output, failure: null);
        }

        Exception error = run.Exception?.InnerException ?? new TaskCanceledException("The orchestrator was canceled.");
        return Complete(context, OrchestrationRuntimeStatus.Failed, output: null, TaskFailureDetails.FromException(error));

        void Apply(HistoryEvent e, bool isReplaying)
        {
            context.IsReplayingValue = isReplaying;
            switch (e.Type)
            {
                case HistoryEventType.OrchestratorStarted:
                    context.CurrentUtcDateTimeValue = e.Timestamp.UtcDateTime;
                    break;
                case HistoryEventType.ExecutionStarted:
                    context.NameValue = e.Name ?? string.Empty;
                    object? input = e.Payload is null ? null : JsonSerializer.Deserialize(e.Payload, orchestrator.InputType, serializerOptions);
                    run = orchestrator.RunAsync(context, input);
                    break;
                case HistoryEventType.TaskScheduled:
                case HistoryEventType.TimerCreated:
                    // Matched against the code's calls as they happen; nothing to deliver.
                    break;
                case HistoryEventType.TaskCompleted:
                    context.CompleteTask(e.TaskScheduledId, e.Payload);
                    break;
                case HistoryEventType.TaskFailed:
                    context.FailTask(e.TaskScheduledId, e.Failure!);
                    break;
                case HistoryEventType.TimerFired:
                    context.FireTimer(e.TaskScheduledId);
                    break;
                case HistoryEventType.EventRaised:
                    context.RaiseEvent(e.Name!, e.Payload);
                    break;
                default:
                    break;
            }

            syncContext.Drain();
        }
    }

    private static ExecutionResult Fail(ReplayOrchestrationContext context, Exception error)
        => Complete(context, OrchestrationRuntimeStatus.Failed, output: null, TaskFailureDetails.FromException(error));

    private static ExecutionResult Complete(ReplayOrchestrationContext context, OrchestrationRuntimeStatus status, string? output, TaskFailureDetails? failure)
    {
        var events = new List<HistoryEvent>(context.NewActions)
        {
            new()
            {
                Type = HistoryEventType.ExecutionCompleted,
                Timestamp = context.CurrentUtcDateTime,
                Status = status,
                Payload = output,
                Failure = failure,
            },
        };
        return new ExecutionResult
        {
            NewEvents = events,
            Status = status,
            CustomStatus = context.SerializedCustomStatus,
            Output = output,
            Failure = failure,
        };
    }
}
