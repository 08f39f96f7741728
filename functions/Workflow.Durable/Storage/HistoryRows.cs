using System.Globalization;
using System.Text;
using System.Text.Json;
using Workflow.Durable.Execution;

namespace Workflow.Durable.Storage;

/// <summary>
/// How history is laid out in table rows: consecutive events of one step share a row (<c>h</c> + the
/// sequence number of its first event), as a JSON array of <see cref="StoredHistoryEvent"/>. Fewer
/// entities per step transaction is what makes a step cheap for the table service; a step whose
/// events do not fit one property spreads over several rows.
/// </summary>
internal static class HistoryRows
{
    public const string EventsProperty = "Events";

    // A table string property holds 64 KiB of UTF-16: 32K characters. Headroom for the array syntax.
    public const int MaxRowChars = 30_000;

    public static string RowKey(int sequence) => "h" + sequence.ToString("D8", CultureInfo.InvariantCulture);

    public static int Sequence(string rowKey) => int.Parse(rowKey.AsSpan(1), CultureInfo.InvariantCulture);

    /// <summary>Packs the events of one step into rows: (first sequence, JSON array), in order.</summary>
    public static IReadOnlyList<(int FirstSequence, string Json)> Pack(int firstSequence, IReadOnlyList<StoredHistoryEvent> events)
    {
        var rows = new List<(int, string)>();
        var current = new StringBuilder();
        int currentFirst = firstSequence;
        for (int i = 0; i < events.Count; i++)
        {
            string json = JsonSerializer.Serialize(events[i], StorageJson.Options);
            if (current.Length > 0 && current.Length + json.Length + 2 > MaxRowChars)
            {
                rows.Add((currentFirst, current.Append(']').ToString()));
                current.Clear();
                currentFirst = firstSequence + i;
            }

            current.Append(current.Length == 0 ? '[' : ',').Append(json);
        }

        if (current.Length > 0)
        {
            rows.Add((currentFirst, current.Append(']').ToString()));
        }

        return rows;
    }

    public static IReadOnlyList<StoredHistoryEvent> Unpack(string json)
        => JsonSerializer.Deserialize<List<StoredHistoryEvent>>(json, StorageJson.Options)
            ?? throw new InvalidOperationException("A history row holds no events.");
}

/// <summary>A history event as stored: payload and failure in their protected (perhaps blob-referenced) form.</summary>
internal sealed record StoredHistoryEvent
{
    public required HistoryEventType Type { get; init; }

    public required DateTimeOffset Timestamp { get; init; }

    public int EventId { get; init; } = -1;

    public int TaskScheduledId { get; init; } = -1;

    public string? Name { get; init; }

    public string? Payload { get; init; }

    public string? Failure { get; init; }

    public DateTimeOffset? FireAt { get; init; }

    public string? MessageId { get; init; }

    public OrchestrationRuntimeStatus? Status { get; init; }
}
