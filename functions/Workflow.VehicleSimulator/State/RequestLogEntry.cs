namespace Workflow.VehicleSimulator.State;

/// <summary>
/// One <c>POST /v1/pims/get</c> as seen by the simulator. Says whether an OTP came, never which:
/// the log is served over an unauthenticated endpoint and must not leak PINs or OTPs. <see cref="Verb"/> is
/// <c>get</c> or <c>set</c>: the endpoint (<c>/v1/pims/get</c> or <c>/v1/pims/set</c>) it came through.
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
    int? ErrorCode,
    string Verb);
