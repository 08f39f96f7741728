using System.Text.Json;
using Workflow.VehicleSimulator.State;

namespace Workflow.VehicleSimulator.Pims;

/// <summary>
/// <c>pims.authentication.otp</c> with <c>action: "withPIN"</c>, as the seeds describe it: a correct
/// PIN yields an OTP; after 2317/2312 the VIN's step cache stays stale, and every withPIN request
/// answers that code again, until one carries <c>resetStep: true</c>.
/// </summary>
internal static class OtpRequestHandler
{
    public static PimsMessage Handle(PimsCall call, string transactionId, SimulatorState state, VehicleSimulatorOptions options)
    {
        var parameters = call.Parameters;
        if (ReadString(parameters, "action") != PimsCodes.WithPinAction)
        {
            return PimsMessage.Failed(transactionId, PimsCodes.InvalidParameters);
        }

        var resetStep = parameters.TryGetProperty("resetStep", out var reset) && reset.ValueKind == JsonValueKind.True;
        if (state.Vehicles.StaleStepCode(call.Vin) is { } staleCode)
        {
            if (!resetStep)
            {
                return PimsMessage.Failed(transactionId, staleCode);
            }

            state.Vehicles.SetStaleStepCode(call.Vin, null);
        }

        var pin = ReadString(parameters, "pinCode");
        if (string.IsNullOrEmpty(pin))
        {
            return PimsMessage.Failed(transactionId, PimsCodes.InvalidParameters);
        }

        if (!state.Vehicles.PinMatches(call.Vin, pin, options.DefaultPin))
        {
            return PimsMessage.Failed(transactionId, PimsCodes.InvalidPinCode);
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
