namespace Workflow.VehicleSimulator.State;

/// <summary>
/// One <c>POST /v1/pims/get</c> as seen by the simulator. Says whether an OTP came, never which:
/// the log is served over an unauthenticated endpoint and must not leak PINs or OTPs.
/// </summary>
public sealed record RequestLogEntry(
    DateTimeOffset At,
    string? Vin,
    string? Api,
    bool HasOtp,
    string? IdempotencyKey,
    bool Replayed,
    int HttpStatus,
    string? Status,
    int? ErrorCode);
