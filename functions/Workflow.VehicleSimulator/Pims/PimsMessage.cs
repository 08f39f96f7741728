using System.Text.Json;
using System.Text.Json.Serialization;

namespace Workflow.VehicleSimulator.Pims;

/// <summary>
/// The SDK's answer message. Immutable (the result is a <see cref="JsonElement"/>) so an
/// idempotent replay can send the very same message again, concurrently if need be.
/// </summary>
internal sealed record PimsMessage(
    string TransactionId,
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Result,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PimsError? Error)
{
    public const string SucceededStatus = "SUCCEEDED";
    public const string FailedStatus = "FAILED";

    public static PimsMessage Succeeded(string transactionId, object result) =>
        new(transactionId, SucceededStatus, JsonSerializer.SerializeToElement(result, SimulatorJson.Options), null);

    public static PimsMessage Failed(string transactionId, int code, string? parameter = null, string? action = null) =>
        new(transactionId, FailedStatus, null, new PimsError(code, PimsCodes.LabelOf(code, parameter, action)));
}

/// <summary>The <c>error</c> part of a FAILED message.</summary>
internal sealed record PimsError(int Code, string Label);
