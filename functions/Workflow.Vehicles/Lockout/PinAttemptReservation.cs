namespace Workflow.Vehicles.Lockout;

/// <summary>The answer to <see cref="IPinAttemptLimiter.TryReserveAsync"/> and <see cref="IPinAttemptLimiter.CheckAsync"/>.</summary>
/// <param name="LockedOutUntil">
/// Set when the vehicle is locked out: it has the cap's worth of wrong PINs, and this is the moment the oldest of
/// them expires and a PIN may be sent again.
/// </param>
/// <param name="BusyUntil">
/// Set when the vehicle is not locked out but its PINs in flight, with its wrong ones, fill the cap: the moment the
/// oldest PIN in flight has an answer or is presumed wrong, whichever comes first. Try again then.
/// </param>
public sealed record PinAttemptReservation(DateTimeOffset? LockedOutUntil, DateTimeOffset? BusyUntil)
{
    /// <summary>The attempt is reserved (or may be): send the PIN.</summary>
    public static PinAttemptReservation Reserved { get; } = new(null, null);

    /// <summary>Whether the attempt is reserved.</summary>
    public bool IsReserved => LockedOutUntil is null && BusyUntil is null;

    /// <summary>The vehicle is locked out until <paramref name="until"/>: do not send the PIN.</summary>
    public static PinAttemptReservation LockedOut(DateTimeOffset until) => new(until, null);

    /// <summary>Too many PINs are in flight for the vehicle: try again at <paramref name="until"/>.</summary>
    public static PinAttemptReservation Busy(DateTimeOffset until) => new(null, until);
}
