using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Workflow.Durable.Processing;

/// <summary>The runtime's OpenTelemetry source and its structured log messages.</summary>
internal static partial class DurableDiagnostics
{
    public const string SourceName = "Workflow.Durable";

    public static readonly ActivitySource Source = new(SourceName);

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Instance {InstanceId} ({Name}) step committed: {Status}, {EventCount} new history events, {WorkItemCount} activities and {TimerCount} timers scheduled.")]
    public static partial void StepCommitted(ILogger logger, string instanceId, string name, OrchestrationRuntimeStatus status, int eventCount, int workItemCount, int timerCount);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Instance {InstanceId}: another writer committed first (attempt {Attempt}); reloading.")]
    public static partial void StepConflict(ILogger logger, string instanceId, int attempt);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Instance {InstanceId} ({Name}) finished: {Status}.")]
    public static partial void InstanceFinished(ILogger logger, string instanceId, string name, OrchestrationRuntimeStatus status);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Dropped {Count} message(s) for instance {InstanceId}: already applied, stale or for a finished instance.")]
    public static partial void MessagesDropped(ILogger logger, string instanceId, int count);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Instance {InstanceId}: re-dispatching an outbox left by an interrupted step.")]
    public static partial void OutboxRecovered(ILogger logger, string instanceId);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Inline step for instance {InstanceId} did not complete; the queue message will deliver it.")]
    public static partial void InlineStepFailed(ILogger logger, string instanceId, Exception exception);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Activity {Name} for instance {InstanceId} (#{TaskId}) failed: {ErrorType}.")]
    public static partial void ActivityFailed(ILogger logger, string name, string instanceId, int taskId, string errorType);

    [LoggerMessage(EventId = 8, Level = LogLevel.Error, Message = "Message {MessageId} on queue {Queue} failed {DequeueCount} times and was moved to the poison queue.")]
    public static partial void MessagePoisoned(ILogger logger, string messageId, string queue, long dequeueCount);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "Processing a message from queue {Queue} failed; it will be redelivered.")]
    public static partial void MessageFailed(ILogger logger, string queue, Exception exception);

    [LoggerMessage(EventId = 10, Level = LogLevel.Error, Message = "Instance {InstanceId} names orchestrator '{Name}', which is not registered in this worker.")]
    public static partial void OrchestratorNotRegistered(ILogger logger, string instanceId, string name);

    [LoggerMessage(EventId = 11, Level = LogLevel.Error, Message = "Message {MessageId} on queue {Queue} is not base64 (not written by this runtime) and was moved to the poison queue.")]
    public static partial void MessageUndecodable(ILogger logger, string messageId, string queue);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "Message {MessageId} on queue {Queue}: {Operation} failed with status {Status}; the message comes back after its visibility timeout, as a harmless duplicate at worst.")]
    public static partial void MessageNotUpdated(ILogger logger, string messageId, string queue, string operation, int status);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "Instance {InstanceId}: the dispatched outbox row {RowKey} could not be deleted (status {Status}); it is dispatched again, harmlessly, when the instance is next loaded.")]
    public static partial void OutboxNotDeleted(ILogger logger, string instanceId, string rowKey, int status);
}
