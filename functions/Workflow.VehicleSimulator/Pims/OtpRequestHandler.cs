using System.Text.Json;
using Workflow.VehicleSimulator.State;

namespace Workflow.VehicleSimulator.Pims;

/// <summary>
/// <c>pims.authentication.otp</c> with <c>action: "withPIN"</c>, as the seeds and the spec describe it: a vehicle not
/// enrolled answers 2313; a blocked account 2310; after 2317/2312 the VIN's step cache stays stale, and every withPIN
/// request answers that code again, until one carries <c>resetStep: true</c>; a wrong PIN answers 2308, and the one
/// that reaches <c>WrongPinsBeforeBlock</c> blocks the account; a right PIN yields an OTP.
/// </summary>
internal static class OtpRequestHandler
{
    public static PimsMessage Handle(PimsCall call, string transactionId, SimulatorState state, VehicleSimulatorOptions options)
    {
        var parameters = call.Parameters;
        if (!parameters.TryGetProperty("action", out var action) || action.ValueKind == JsonValueKind.Null)
        {
            return PimsMessage.Failed(transactionId, PimsCodes.MissingParameter, "action");
        }

        if (action.ValueKind != JsonValueKind.String || action.GetString() != PimsCodes.WithPinAction)
        {
            return PimsMessage.Failed(transactionId, PimsCodes.InvalidParameter, "action");
        }

        var pin = ReadString(parameters, "pinCode");
        if (string.IsNullOrEmpty(pin))
        {
            return PimsMessage.Failed(transactionId, PimsCodes.MissingParameter, "pinCode");
        }

        var resetStep = parameters.TryGetProperty("resetStep", out var reset) && reset.ValueKind == JsonValueKind.True;
        if (state.Vehicles.Update(call.Vin, v => v.CheckPin(pin, resetStep, options)) is { } refusal)
        {
            return PimsMessage.Failed(transactionId, refusal);
        }

        var otp = state.Otps.Issue(call.Vin);
        return PimsMessage.Succeeded(transactionId, new { otp = otp.Otp, expiresAt = otp.ExpiresAt });
    }

    /// <summary>A string parameter; a JSON number is taken as its text, since apps sometimes send a PIN as a number.</summary>
    private static string? ReadString(JsonElement parameters, string name) =>
        parameters.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;
}
