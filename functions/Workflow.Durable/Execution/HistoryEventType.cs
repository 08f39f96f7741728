namespace Workflow.Durable.Execution;

/// <summary>History event types, named as in Durable Functions' history.</summary>
internal enum HistoryEventType
{
    ExecutionStarted,
    OrchestratorStarted,
    TaskScheduled,
    TaskCompleted,
    TaskFailed,
    TimerCreated,
    TimerFired,
    EventRaised,
    ExecutionCompleted,
    ExecutionTerminated,
}
