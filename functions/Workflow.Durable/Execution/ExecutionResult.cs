namespace Workflow.Durable.Execution;

/// <summary>What one orchestration step decided.</summary>
internal sealed record ExecutionResult
{
    /// <summary>Events to append after the step's input events: scheduled tasks and timers, then the completion.</summary>
    public required IReadOnlyList<HistoryEvent> NewEvents { get; init; }

    public required OrchestrationRuntimeStatus Status { get; init; }

    /// <summary>The serialized custom status after the step.</summary>
    public string? CustomStatus { get; init; }

    /// <summary>The serialized output, when completed.</summary>
    public string? Output { get; init; }

    public TaskFailureDetails? Failure { get; init; }
}
