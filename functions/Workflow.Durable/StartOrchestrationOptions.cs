namespace Workflow.Durable;

/// <summary>Options for scheduling a new orchestration instance.</summary>
/// <param name="InstanceId">The instance id; a new GUID (no dashes) when null.</param>
public sealed record StartOrchestrationOptions(string? InstanceId = null);
