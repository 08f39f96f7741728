namespace Workflow.Vehicles.Activities;

/// <summary>Input of <see cref="RequestVehicleOtpActivity"/>.</summary>
/// <param name="Vin">The vehicle.</param>
/// <param name="SealedPin">The user's PIN as sealed by the PIN endpoint.</param>
/// <param name="PinRound">The PIN round it was submitted for: the sealed PIN must name it (<see cref="PinSeal"/>).</param>
/// <param name="ResetStep">Whether to send <c>resetStep: true</c> (after a 2317/2312).</param>
/// <param name="IdempotencyKey">The key of this logical OTP request, computed by the orchestrator.</param>
public sealed record RequestVehicleOtpInput(string Vin, string SealedPin, int PinRound, bool ResetStep, string IdempotencyKey);
