using System.Text.Json;
using System.Text.Json.Serialization;

namespace Workflow.Vehicles.Api;

/// <summary>The SDK message the gateway answers with: <c>{transactionId, status, result | error}</c>.</summary>
/// <param name="TransactionId">The gateway's transaction id; <c>null</c> when the request was refused at the HTTP level.</param>
/// <param name="Status"><c>SUCCEEDED</c> or <c>FAILED</c>.</param>
/// <param name="Result">The API result on success.</param>
/// <param name="Error">The error on failure.</param>
public sealed record VehicleApiMessage(
    string? TransactionId,
    string Status,
    JsonElement? Result,
    VehicleError? Error)
{
    /// <summary>Whether the call succeeded.</summary>
    [JsonIgnore]
    public bool IsSucceeded => string.Equals(Status, VehicleApiCodes.Succeeded, StringComparison.Ordinal);

    /// <summary>Whether the call was refused with <paramref name="code"/>.</summary>
    public bool FailedWith(int code) => !IsSucceeded && Error?.Code == code;

    /// <summary>A FAILED message standing for a failure that never reached the pims layer (an HTTP refusal).</summary>
    public static VehicleApiMessage FromHttpFailure(int code, string label) =>
        new(null, VehicleApiCodes.Failed, null, new VehicleError(code, label));
}
