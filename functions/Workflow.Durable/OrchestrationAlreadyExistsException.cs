namespace Workflow.Durable;

/// <summary>
/// Thrown when scheduling an instance whose id is already taken. Use a new id, or purge the
/// existing instance first.
/// </summary>
public sealed class OrchestrationAlreadyExistsException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public OrchestrationAlreadyExistsException(string instanceId)
        : base($"An orchestration instance with id '{instanceId}' already exists. Use another id or purge the existing instance first.")
        => InstanceId = instanceId;

    /// <summary>The id that is taken.</summary>
    public string InstanceId { get; }
}
