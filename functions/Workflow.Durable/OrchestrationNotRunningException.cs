namespace Workflow.Durable;

/// <summary>Thrown when raising an event to, or terminating, an instance that has already finished.</summary>
public sealed class OrchestrationNotRunningException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public OrchestrationNotRunningException(string instanceId, OrchestrationRuntimeStatus status)
        : base($"Orchestration instance '{instanceId}' is {status}; it no longer accepts events or termination.")
    {
        InstanceId = instanceId;
        RuntimeStatus = status;
    }

    /// <summary>The instance id.</summary>
    public string InstanceId { get; }

    /// <summary>The state it is in.</summary>
    public OrchestrationRuntimeStatus RuntimeStatus { get; }
}
