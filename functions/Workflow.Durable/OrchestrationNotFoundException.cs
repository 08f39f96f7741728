namespace Workflow.Durable;

/// <summary>Thrown when an operation names an instance that does not exist (or was purged).</summary>
public sealed class OrchestrationNotFoundException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public OrchestrationNotFoundException(string instanceId)
        : base($"No orchestration instance with id '{instanceId}' exists.")
        => InstanceId = instanceId;

    /// <summary>The id that was not found.</summary>
    public string InstanceId { get; }
}
