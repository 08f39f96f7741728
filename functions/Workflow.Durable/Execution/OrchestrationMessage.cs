using System.Text.Json.Serialization;

namespace Workflow.Durable.Execution;

/// <summary>What a control-queue message asks of an orchestration instance.</summary>
internal enum ControlMessageKind
{
    /// <summary>Start a pending instance.</summary>
    Start,

    /// <summary>An activity returned.</summary>
    TaskCompleted,

    /// <summary>An activity threw.</summary>
    TaskFailed,

    /// <summary>A durable timer is due.</summary>
    TimerFired,

    /// <summary>A client raised an external event.</summary>
    EventRaised,

    /// <summary>A client asked to terminate the instance.</summary>
    Terminate,
}

/// <summary>
/// A message to an orchestration instance. Travels on the control queue, or is handed to the
/// step processor directly on the inline fast path. <see cref="Payload"/> is a stored payload
/// reference (protected, possibly pointing at a blob).
/// </summary>
/// <remarks>
/// A message handed over in the process that wrote it also carries its payload and failure in
/// clear (never serialized), so the step does not read back what was just protected.
/// </remarks>
internal sealed record ControlMessage
{
    public required ControlMessageKind Kind { get; init; }

    public required string InstanceId { get; init; }

    /// <summary>Which execution of the instance id the message belongs to; stale executions are ignored.</summary>
    public required string ExecutionId { get; init; }

    /// <summary>Unique per logical message; duplicates of an event are recognised by it.</summary>
    public required string MessageId { get; init; }

    public int TaskScheduledId { get; init; } = -1;

    /// <summary>Event name or terminate reason.</summary>
    public string? Name { get; init; }

    public string? Payload { get; init; }

    /// <summary>Protected JSON of <see cref="TaskFailureDetails"/>.</summary>
    public string? Failure { get; init; }

    public DateTimeOffset? FireAt { get; init; }

    /// <summary><see cref="Payload"/> in clear, in the process that wrote it; never serialized.</summary>
    [JsonIgnore]
    public string? ClearPayload { get; init; }

    /// <summary><see cref="Failure"/> in clear, in the process that wrote it; never serialized.</summary>
    [JsonIgnore]
    public TaskFailureDetails? ClearFailure { get; init; }
}

/// <summary>An activity invocation on the work-item queue.</summary>
internal sealed record WorkItemMessage
{
    public required string InstanceId { get; init; }

    public required string ExecutionId { get; init; }

    public required int TaskScheduledId { get; init; }

    public required string Name { get; init; }

    /// <summary>Stored payload reference of the input.</summary>
    public string? Payload { get; init; }

    /// <summary><see cref="Payload"/> in clear, in the process that wrote it; never serialized.</summary>
    [JsonIgnore]
    public string? ClearPayload { get; init; }
}
