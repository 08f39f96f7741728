namespace Workflow.Durable.Execution;

/// <summary>
/// One event of an instance's history. A flat record rather than a class hierarchy because it
/// maps one-to-one onto a table row. <see cref="Payload"/> is clear JSON in memory; the storage
/// layer protects it on the way out.
/// </summary>
internal sealed record HistoryEvent
{
    public required HistoryEventType Type { get; init; }

    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Sequence number of a scheduled task or timer; -1 otherwise.</summary>
    public int EventId { get; init; } = -1;

    /// <summary>For completions and fired timers: the <see cref="EventId"/> they refer to; -1 otherwise.</summary>
    public int TaskScheduledId { get; init; } = -1;

    /// <summary>Orchestrator, activity or event name.</summary>
    public string? Name { get; init; }

    /// <summary>Input, result or event data as JSON.</summary>
    public string? Payload { get; init; }

    /// <summary>
    /// <see cref="Payload"/> as it was already written to storage (protected, perhaps a blob reference)
    /// for the message that carried or produced it. The commit reuses it instead of protecting, and
    /// for large payloads uploading, the same data a second time.
    /// </summary>
    public string? StoredPayload { get; init; }

    public TaskFailureDetails? Failure { get; init; }

    /// <summary><see cref="Failure"/> as already written to storage for the message that carried it, like <see cref="StoredPayload"/>.</summary>
    public string? StoredFailure { get; init; }

    public DateTimeOffset? FireAt { get; init; }

    /// <summary>The queue message an event came from, so a redelivered message is recognised.</summary>
    public string? MessageId { get; init; }

    /// <summary>Final status on ExecutionCompleted.</summary>
    public OrchestrationRuntimeStatus? Status { get; init; }
}
