namespace Workflow.Durable;

/// <summary>The lifecycle state of an orchestration instance (same names and values as Durable Functions).</summary>
public enum OrchestrationRuntimeStatus
{
    /// <summary>Started and not finished.</summary>
    Running = 0,

    /// <summary>Finished and returned its output.</summary>
    Completed = 1,

    /// <summary>Finished with an unhandled failure.</summary>
    Failed = 3,

    /// <summary>Stopped by <see cref="DurableTaskClient.TerminateInstanceAsync"/>.</summary>
    Terminated = 5,

    /// <summary>Scheduled and not started yet.</summary>
    Pending = 6,
}
