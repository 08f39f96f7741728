namespace Workflow.VehicleSimulator.State;

/// <summary>An OTP as shown by <c>GET /_sim/otps</c>: a snapshot, so callers never see it change under them.</summary>
public sealed record IssuedOtp(string Vin, string Otp, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, bool Used);
