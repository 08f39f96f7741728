namespace Workflow.Durable;

/// <summary>Thrown inside an orchestrator when an activity it called failed.</summary>
public sealed class TaskFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TaskFailedException(string taskName, int taskId, TaskFailureDetails failureDetails)
        : base($"Task '{taskName}' (#{taskId}) failed with an unhandled exception: {failureDetails?.ErrorMessage}")
    {
        ArgumentNullException.ThrowIfNull(failureDetails);
        TaskName = taskName;
        TaskId = taskId;
        FailureDetails = failureDetails;
    }

    /// <summary>The activity name.</summary>
    public string TaskName { get; }

    /// <summary>The sequence number of the call in the orchestration.</summary>
    public int TaskId { get; }

    /// <summary>The failure recorded in history.</summary>
    public TaskFailureDetails FailureDetails { get; }
}
