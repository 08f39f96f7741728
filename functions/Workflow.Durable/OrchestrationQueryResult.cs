namespace Workflow.Durable;

/// <summary>One page of query results.</summary>
/// <param name="Instances">The instances on this page.</param>
/// <param name="ContinuationToken">Pass back to get the next page; <c>null</c> on the last page.</param>
public sealed record OrchestrationQueryResult(
    IReadOnlyList<OrchestrationMetadata> Instances,
    string? ContinuationToken);
