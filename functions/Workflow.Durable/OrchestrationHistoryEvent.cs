namespace Workflow.Durable;

/// <summary>One event of an instance's history, as shown to clients.</summary>
/// <param name="EventType">
/// The event type, named as in Durable Functions: ExecutionStarted, OrchestratorStarted, TaskScheduled,
/// TaskCompleted, TaskFailed, TimerCreated, TimerFired, EventRaised, ExecutionCompleted, ExecutionTerminated.
/// </param>
/// <param name="Timestamp">When the event was recorded.</param>
/// <param name="EventId">The sequence number of a scheduled task or timer, otherwise -1.</param>
/// <param name="Name">The orchestrator, activity or event name, when the event has one.</param>
/// <param name="TaskScheduledId">For a completion, the <paramref name="EventId"/> of what completed, otherwise -1.</param>
/// <param name="SerializedPayload">The input, result or event data as JSON, when requested.</param>
/// <param name="FireAt">When a timer fires.</param>
/// <param name="Failure">Why a task or the orchestration failed.</param>
/// <param name="OrchestrationStatus">The final status, on ExecutionCompleted.</param>
public sealed record OrchestrationHistoryEvent(
    string EventType,
    DateTimeOffset Timestamp,
    int EventId,
    string? Name,
    int TaskScheduledId,
    string? SerializedPayload,
    DateTimeOffset? FireAt,
    TaskFailureDetails? Failure,
    OrchestrationRuntimeStatus? OrchestrationStatus);
