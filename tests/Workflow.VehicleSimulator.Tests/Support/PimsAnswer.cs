using System.Text.Json;

namespace Workflow.VehicleSimulator.Tests.Support;

/// <summary>A pims message as received: the raw text (for byte-for-byte comparisons) and its parsed root.</summary>
public sealed record PimsAnswer(string Text, JsonElement Root)
{
    public string TransactionId => Root.GetProperty("transactionId").GetString()!;

    public string Status => Root.GetProperty("status").GetString()!;

    public int? ErrorCode => Root.TryGetProperty("error", out var error) ? error.GetProperty("code").GetInt32() : null;

    public string? ErrorLabel => Root.TryGetProperty("error", out var error) ? error.GetProperty("label").GetString() : null;

    public JsonElement Result => Root.GetProperty("result");

    public static PimsAnswer Parse(string text) => new(text, JsonDocument.Parse(text).RootElement.Clone());
}
