using System.Globalization;
using System.Text.Json.Nodes;
using Workflow.Durable;
using Workflow.Vehicles;

namespace Workflow.Functions.Management;

/// <summary>
/// Turns runtime history into Durable Functions' <c>historyEvents</c>: PascalCase properties, scheduling folded
/// into the completion (<c>FunctionName</c> + <c>ScheduledTime</c> on TaskCompleted/TaskFailed, no TaskScheduled
/// or OrchestratorStarted rows), payloads only when the caller asked for them, and secrets never shown.
/// </summary>
internal static class HistoryEventsFormatter
{
    /// <summary>What a redacted payload is replaced with.</summary>
    public const string Redacted = "[redacted]";

    public static JsonArray Format(IReadOnlyList<OrchestrationHistoryEvent> history, bool showInput, bool showHistoryOutput)
    {
        var scheduled = history
            .Where(e => e.EventType == "TaskScheduled" && e.EventId >= 0)
            .GroupBy(e => e.EventId)
            .ToDictionary(g => g.Key, g => g.First());

        var events = new JsonArray();
        foreach (OrchestrationHistoryEvent e in history)
        {
            if (Format(e, scheduled, showInput, showHistoryOutput) is { } item)
            {
                events.Add(item);
            }
        }

        return events;
    }

    private static JsonObject? Format(
        OrchestrationHistoryEvent e,
        Dictionary<int, OrchestrationHistoryEvent> scheduled,
        bool showInput,
        bool showHistoryOutput)
    {
        var item = new JsonObject { ["EventType"] = e.EventType };
        switch (e.EventType)
        {
            // Durable Functions leaves these out: they are bookkeeping, and the scheduling details show up on the
            // completion instead (which also keeps activity inputs, e.g. a sealed PIN, out of the output).
            case "OrchestratorStarted" or "TaskScheduled":
                return null;

            case "ExecutionStarted":
                item["FunctionName"] = e.Name;
                if (showInput)
                {
                    item["Input"] = Payload(e);
                }

                break;

            case "TaskCompleted" or "TaskFailed":
                if (scheduled.TryGetValue(e.TaskScheduledId, out OrchestrationHistoryEvent? task))
                {
                    item["FunctionName"] = task.Name;
                    item["ScheduledTime"] = FormatTimestamp(task.Timestamp);
                }

                if (e.EventType == "TaskCompleted" && showHistoryOutput)
                {
                    item["Result"] = Payload(e);
                }

                AddFailure(item, e.Failure);
                break;

            case "TimerCreated":
                item["FireAt"] = FormatNullable(e.FireAt);
                break;

            case "TimerFired":
                item["FireAt"] = FormatNullable(e.FireAt);
                item["TimerId"] = e.TaskScheduledId;
                break;

            case "EventRaised":
                item["Name"] = e.Name;
                if (showHistoryOutput)
                {
                    item["Input"] = Payload(e);
                }

                break;

            case "ExecutionCompleted":
                item["OrchestrationStatus"] = e.OrchestrationStatus?.ToString();
                if (showHistoryOutput)
                {
                    item["Result"] = Payload(e);
                }

                AddFailure(item, e.Failure);
                break;

            case "ExecutionTerminated":
                // Durable Functions shows the termination reason as the event's input.
                if (showHistoryOutput)
                {
                    item["Input"] = Payload(e);
                }

                break;

            default:
                // A type this API does not know yet: show what every event has rather than hide it.
                if (e.Name is not null)
                {
                    item["Name"] = e.Name;
                }

                break;
        }

        item["Timestamp"] = FormatTimestamp(e.Timestamp);
        return item;
    }

    // Defence in depth: the PIN event only ever carries a sealed PIN, but even that opaque value is not shown.
    private static JsonNode? Payload(OrchestrationHistoryEvent e)
        => IsSecret(e) ? JsonValue.Create(Redacted) : ManagementJson.ParsePayload(e.SerializedPayload);

    private static bool IsSecret(OrchestrationHistoryEvent e)
        => e.EventType == "EventRaised" && string.Equals(e.Name, VehicleCommandNames.PinEvent, StringComparison.OrdinalIgnoreCase);

    private static void AddFailure(JsonObject item, TaskFailureDetails? failure)
    {
        if (failure is null)
        {
            return;
        }

        // Reason/Details are what Durable Functions' TaskFailed events carry; FailureDetails is the structured form.
        item["Reason"] = failure.ErrorMessage;
        item["Details"] = failure.StackTrace is null ? failure.ErrorType : $"{failure.ErrorType}: {failure.ErrorMessage}{Environment.NewLine}{failure.StackTrace}";
        item["FailureDetails"] = FailureNode(failure);
    }

    private static JsonObject FailureNode(TaskFailureDetails failure) => new()
    {
        ["ErrorType"] = failure.ErrorType,
        ["ErrorMessage"] = failure.ErrorMessage,
        ["StackTrace"] = failure.StackTrace,
        ["InnerFailure"] = failure.InnerFailure is { } inner ? FailureNode(inner) : null,
    };

    // Round-trip UTC with ticks, as in Durable Functions' history ("2018-02-28T05:18:52.2895622Z").
    private static string FormatTimestamp(DateTimeOffset time) => time.UtcDateTime.ToString("o", CultureInfo.InvariantCulture);

    private static string? FormatNullable(DateTimeOffset? time) => time is { } t ? FormatTimestamp(t) : null;
}
