namespace Workflow.Vehicles.Lockout;

/// <summary>One PIN sent, or about to be sent, upstream for a vehicle.</summary>
/// <param name="Id">The attempt id (the OTP request's idempotency key).</param>
/// <param name="At">When it was reserved; it expires one window later.</param>
/// <param name="Rejected">
/// <c>true</c> once the gateway refused the PIN; <c>false</c> while the answer is pending. Rejected ones count against
/// the cap; pending ones only bound how many PINs may be in flight, until they are presumed wrong
/// (<c>PinInFlightTimeout</c> after they were reserved: their answer never came, and the gateway may have counted them).
/// </param>
public sealed record PinAttempt(string Id, DateTimeOffset At, bool Rejected);
