namespace Workflow.Durable;

/// <summary>The outcome of a purge.</summary>
/// <param name="PurgedInstanceCount">How many instances were deleted (0 or 1 for a single instance).</param>
public sealed record PurgeResult(int PurgedInstanceCount);
