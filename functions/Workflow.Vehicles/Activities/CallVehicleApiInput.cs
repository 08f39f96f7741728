using System.Text.Json;

namespace Workflow.Vehicles.Activities;

/// <summary>Input of <see cref="CallVehicleApiActivity"/>.</summary>
/// <param name="Vin">The vehicle.</param>
/// <param name="Api">The pims API.</param>
/// <param name="Parameters">Its parameters.</param>
/// <param name="SealedOtp">The OTP sealed by <see cref="RequestVehicleOtpActivity"/>, or <c>null</c> for a first call.</param>
/// <param name="IdempotencyKey">The key of this logical call, computed by the orchestrator so it survives redeliveries and durable retries.</param>
public sealed record CallVehicleApiInput(string Vin, string Api, JsonElement? Parameters, string? SealedOtp, string IdempotencyKey);
