using Azure;
using Workflow.Durable.Execution;

namespace Workflow.Durable.Storage;

/// <summary>
/// Everything the runtime knows about one instance: its row and its history, payloads in clear.
/// <see cref="ETag"/> is the instance row's; a step commits only if it is still current.
/// </summary>
internal sealed class InstanceState
{
    public required string InstanceId { get; init; }

    public required string Name { get; init; }

    public required string ExecutionId { get; init; }

    public required OrchestrationRuntimeStatus Status { get; set; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset LastUpdatedAt { get; set; }

    /// <summary>Input in clear, kept for starting a pending instance.</summary>
    public string? Input { get; init; }

    /// <summary>The input as stored (protected reference), so steps do not re-protect it.</summary>
    public string? StoredInput { get; init; }

    public string? Output { get; set; }

    public string? CustomStatus { get; set; }

    /// <summary>The custom status as last committed (protected reference) and in clear.</summary>
    public string? StoredCustomStatus { get; set; }

    public string? StoredCustomStatusClear { get; set; }

    public TaskFailureDetails? Failure { get; set; }

    public required List<HistoryEvent> History { get; init; }

    public ETag ETag { get; set; }

    /// <summary>Outbox rows committed by an earlier step and perhaps never dispatched.</summary>
    public List<OutboxEntry> PendingOutbox { get; init; } = [];

    /// <summary>The client-facing snapshot of this state, payloads in clear.</summary>
    public OrchestrationMetadata ToMetadata() => new()
    {
        Name = Name,
        InstanceId = InstanceId,
        RuntimeStatus = Status,
        CreatedAt = CreatedAt,
        LastUpdatedAt = LastUpdatedAt,
        SerializedInput = Input,
        SerializedOutput = Output,
        SerializedCustomStatus = CustomStatus,
        FailureDetails = Failure,
    };

    public bool IsTerminal => Status is OrchestrationRuntimeStatus.Completed or OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated;

    public bool HasScheduled(int taskId) => History.Exists(e => e.EventId == taskId && e.Type is HistoryEventType.TaskScheduled or HistoryEventType.TimerCreated);

    public bool HasCompleted(int taskId) => History.Exists(e => e.TaskScheduledId == taskId);

    public bool HasApplied(string messageId) => History.Exists(e => e.MessageId == messageId);

    /// <summary>Whether everything <paramref name="message"/> refers to is known here: its execution and, for a completion, what it completes.</summary>
    public bool Recognizes(ControlMessage message)
        => message.ExecutionId == ExecutionId
            && (message.Kind is not (ControlMessageKind.TaskCompleted or ControlMessageKind.TaskFailed or ControlMessageKind.TimerFired) || HasScheduled(message.TaskScheduledId));
}

/// <summary>Messages a step produced, persisted with the step and sent after it commits.</summary>
/// <param name="RowKey">The outbox row.</param>
/// <param name="ControlMessages">Messages for the control queue (durable timers among them).</param>
/// <param name="WorkItems">Activity invocations.</param>
internal sealed record OutboxEntry(
    string RowKey,
    IReadOnlyList<ScheduledControlMessage> ControlMessages,
    IReadOnlyList<WorkItemMessage> WorkItems);

/// <summary>A control message and the time it becomes due (now when null).</summary>
internal sealed record ScheduledControlMessage(ControlMessage Message, DateTimeOffset? VisibleAt);
