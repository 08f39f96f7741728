namespace Workflow.Vehicles.Lockout;

/// <summary>The answer to <see cref="IPinAttemptLimiter.TryReserveAsync"/>.</summary>
/// <param name="LockedOutUntil">
/// <c>null</c> when the attempt is reserved (its PIN may be sent); otherwise the vehicle is locked out and
/// this is the moment an attempt expires and a new one becomes possible.
/// </param>
public sealed record PinAttemptReservation(DateTimeOffset? LockedOutUntil)
{
    /// <summary>The attempt is reserved: send the PIN.</summary>
    public static PinAttemptReservation Reserved { get; } = new((DateTimeOffset?)null);

    /// <summary>Whether the attempt is reserved.</summary>
    public bool IsReserved => LockedOutUntil is null;

    /// <summary>The vehicle is locked out until <paramref name="until"/>: do not send the PIN.</summary>
    public static PinAttemptReservation LockedOut(DateTimeOffset until) => new(until);
}
