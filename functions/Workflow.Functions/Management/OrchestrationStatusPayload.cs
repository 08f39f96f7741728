using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Workflow.Durable;

namespace Workflow.Functions.Management;

/// <summary>
/// One instance as the Durable Functions HTTP API shows it (get status and list). <c>input</c>, <c>customStatus</c>
/// and <c>output</c> are always present, <c>null</c> when empty, because Durable Functions clients check for them;
/// <c>historyEvents</c> only appears when history was asked for.
/// </summary>
internal sealed record OrchestrationStatusPayload(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("instanceId")] string InstanceId,
    [property: JsonPropertyName("runtimeStatus")] string RuntimeStatus,
    [property: JsonPropertyName("input")] JsonNode? Input,
    [property: JsonPropertyName("customStatus")] JsonNode? CustomStatus,
    [property: JsonPropertyName("output")] JsonNode? Output,
    [property: JsonPropertyName("createdTime")] string CreatedTime,
    [property: JsonPropertyName("lastUpdatedTime")] string LastUpdatedTime,
    [property: JsonPropertyName("historyEvents"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonArray? HistoryEvents)
{
    /// <summary>Maps runtime metadata (read with inputs and outputs) to the Durable Functions shape.</summary>
    public static OrchestrationStatusPayload From(OrchestrationMetadata metadata, bool showInput, bool showHistoryOutput)
        => new(
            metadata.Name,
            metadata.InstanceId,
            metadata.RuntimeStatus.ToString(),
            showInput ? ManagementJson.ParsePayload(metadata.SerializedInput) : null,
            ManagementJson.ParsePayload(metadata.SerializedCustomStatus),
            OutputOf(metadata),
            FormatTime(metadata.CreatedAt),
            FormatTime(metadata.LastUpdatedAt),
            metadata.History is { } history ? HistoryEventsFormatter.Format(history, showInput, showHistoryOutput) : null);

    // Durable Functions prints instance times to the second with a Z ("2018-02-28T05:18:49Z").
    private static string FormatTime(DateTimeOffset time)
        => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static JsonNode? OutputOf(OrchestrationMetadata metadata)
    {
        if (metadata.SerializedOutput is not null)
        {
            return ManagementJson.ParsePayload(metadata.SerializedOutput);
        }

        // A failed orchestration has no output value; Durable Functions reports the failure message there instead.
        return metadata is { RuntimeStatus: OrchestrationRuntimeStatus.Failed, FailureDetails: { } failure }
            ? JsonValue.Create($"Orchestrator function '{metadata.Name}' failed: {failure.ErrorMessage}")
            : null;
    }
}

/// <summary>JSON helpers of the management API.</summary>
internal static class ManagementJson
{
    /// <summary>Serializer options for responses; property names come from attributes, nulls are written.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    /// <summary>Turns a stored JSON payload into a node; a payload that is not JSON is shown as a string.</summary>
    public static JsonNode? ParsePayload(string? json)
    {
        if (json is null)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            // Payloads are written by the runtime's serializer, so this is only a guard against old or foreign rows.
            return JsonValue.Create(json);
        }
    }
}
