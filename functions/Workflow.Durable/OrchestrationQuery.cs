namespace Workflow.Durable;

/// <summary>Filters for <see cref="DurableTaskClient.QueryInstancesAsync"/>.</summary>
public sealed record OrchestrationQuery
{
    /// <summary>Only instances in one of these states; all when null or empty.</summary>
    public IReadOnlyCollection<OrchestrationRuntimeStatus>? Statuses { get; init; }

    /// <summary>Only instances created at or after this time.</summary>
    public DateTimeOffset? CreatedFrom { get; init; }

    /// <summary>Only instances created at or before this time.</summary>
    public DateTimeOffset? CreatedTo { get; init; }

    /// <summary>Only instances whose id starts with this prefix.</summary>
    public string? InstanceIdPrefix { get; init; }

    /// <summary>Include inputs and outputs in the results.</summary>
    public bool FetchInputsAndOutputs { get; init; }

    /// <summary>Maximum number of instances per page (1 to 1000).</summary>
    public int PageSize { get; init; } = 100;

    /// <summary>Where to resume, from a previous <see cref="OrchestrationQueryResult.ContinuationToken"/>.</summary>
    public string? ContinuationToken { get; init; }
}
