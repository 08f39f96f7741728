using System.Text.Json;

namespace Workflow.Vehicles.Api;

/// <summary>One <c>pims.get(api, parameters)</c> call, with the OTP when strong authentication asks for it.</summary>
/// <remarks>
/// The parameters of an OTP request carry the PIN and <see cref="Otp"/> is a secret, so <see cref="ToString"/>
/// shows neither: a request passed to a logger or an exception message stays harmless.
/// </remarks>
/// <param name="Vin">The vehicle identification number.</param>
/// <param name="Api">The pims API name.</param>
/// <param name="Parameters">The API parameters (a JSON object), or <c>null</c> for none.</param>
/// <param name="Otp">A one-time password from <c>pims.authentication.otp</c>, or <c>null</c>.</param>
public sealed record VehicleApiRequest(string Vin, string Api, JsonElement? Parameters, string? Otp = null)
{
    /// <summary>Names the call without its parameters or OTP.</summary>
    public override string ToString() => $"{Api} for VIN {Vin}";
}
