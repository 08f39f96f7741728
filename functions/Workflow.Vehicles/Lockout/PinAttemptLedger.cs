namespace Workflow.Vehicles.Lockout;

/// <summary>
/// The rules of the per-vehicle PIN lockout, applied to one vehicle's attempts at one moment. Storage-free,
/// so every <see cref="IPinAttemptLimiter"/> implementation applies exactly the same rules: it loads the
/// vehicle's attempts, builds a ledger, calls one operation and saves <see cref="Attempts"/> when
/// <see cref="HasChanged"/>.
/// </summary>
/// <remarks>
/// The window slides: each attempt expires <c>window</c> after it was reserved, and expired attempts are dropped when
/// the ledger is built. Only wrong PINs lock the vehicle out: it is locked out while at least <c>maxAttempts</c>
/// attempts were answered wrong (or are presumed wrong: pending for longer than <c>inFlightTimeout</c>, their answer
/// lost). PINs still in flight are bounded separately: wrong plus pending may never exceed the cap, so concurrent
/// reservations can never take the vehicle past it, and a PIN refused for that reason is told to come back when the
/// oldest one in flight settles, not locked out.
/// </remarks>
public sealed class PinAttemptLedger
{
    private readonly List<PinAttempt> _attempts;
    private readonly int _maxAttempts;
    private readonly TimeSpan _window;
    private readonly TimeSpan _inFlightTimeout;
    private readonly DateTimeOffset _now;

    /// <summary>Builds the ledger of one vehicle at <paramref name="now"/>, without the attempts that have expired by then.</summary>
    /// <param name="attempts">The vehicle's stored attempts.</param>
    /// <param name="maxAttempts">The cap: attempts allowed within a window (<c>MaxFailedPinAttemptsPerVehicle</c>).</param>
    /// <param name="window">How long an attempt counts (<c>FailedPinAttemptWindow</c>).</param>
    /// <param name="inFlightTimeout">How long a pending attempt waits for its answer before it is presumed wrong (<c>PinInFlightTimeout</c>).</param>
    /// <param name="now">The current time.</param>
    public PinAttemptLedger(IEnumerable<PinAttempt> attempts, int maxAttempts, TimeSpan window, TimeSpan inFlightTimeout, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(attempts);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(inFlightTimeout, TimeSpan.Zero);
        _maxAttempts = maxAttempts;
        _window = window;
        _inFlightTimeout = inFlightTimeout;
        _now = now;
        _attempts = [.. attempts.Where(a => a.At + window > now)];
    }

    /// <summary>The ledger with the limits of <paramref name="options"/>: what every limiter builds.</summary>
    public static PinAttemptLedger FromOptions(IEnumerable<PinAttempt> attempts, Options.VehicleWorkflowOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new PinAttemptLedger(attempts, options.MaxFailedPinAttemptsPerVehicle, options.FailedPinAttemptWindow, options.PinInFlightTimeout, now);
    }

    /// <summary>The attempts that still count.</summary>
    public IReadOnlyList<PinAttempt> Attempts => _attempts;

    /// <summary>Whether an operation changed the attempts (dropping expired ones alone does not count), so they must be saved.</summary>
    public bool HasChanged { get; private set; }

    /// <summary>
    /// Until when the vehicle is locked out, or <c>null</c> when it is not: the moment enough wrong PINs have expired
    /// to leave one free under the cap.
    /// </summary>
    public DateTimeOffset? LockedOutUntil
    {
        get
        {
            DateTimeOffset[] wrong = [.. _attempts.Where(IsCountedWrong).Select(a => a.At).Order()];
            return wrong.Length < _maxAttempts ? null : wrong[wrong.Length - _maxAttempts] + _window;
        }
    }

    /// <summary>
    /// Whether a PIN may be sent now: <see cref="PinAttemptReservation.Reserved"/>, locked out, or busy (wrong plus
    /// in-flight PINs fill the cap) until the oldest PIN in flight settles or is presumed wrong. Changes nothing.
    /// </summary>
    public PinAttemptReservation Check()
    {
        if (LockedOutUntil is { } until)
        {
            return PinAttemptReservation.LockedOut(until);
        }

        return _attempts.Count < _maxAttempts
            ? PinAttemptReservation.Reserved
            : PinAttemptReservation.Busy(_attempts.Where(a => !IsCountedWrong(a)).Min(a => a.At) + _inFlightTimeout);
    }

    /// <summary>Reserves attempt <paramref name="attemptId"/> when <see cref="Check"/> allows it; an attempt already here is reserved already.</summary>
    public PinAttemptReservation TryReserve(string attemptId)
    {
        ArgumentException.ThrowIfNullOrEmpty(attemptId);
        if (Find(attemptId) >= 0)
        {
            return PinAttemptReservation.Reserved;
        }

        PinAttemptReservation check = Check();
        if (!check.IsReserved)
        {
            return check;
        }

        _attempts.Add(new PinAttempt(attemptId, _now, Rejected: false));
        HasChanged = true;
        return PinAttemptReservation.Reserved;
    }

    /// <summary>
    /// Marks attempt <paramref name="attemptId"/> as a wrong PIN. An attempt no longer here (it expired while the
    /// gateway answered) is added back as of now: a PIN the gateway refused always counts.
    /// </summary>
    public void RecordWrongPin(string attemptId)
    {
        ArgumentException.ThrowIfNullOrEmpty(attemptId);
        int index = Find(attemptId);
        if (index < 0)
        {
            _attempts.Add(new PinAttempt(attemptId, _now, Rejected: true));
            HasChanged = true;
        }
        else if (!_attempts[index].Rejected)
        {
            _attempts[index] = _attempts[index] with { Rejected = true };
            HasChanged = true;
        }
    }

    /// <summary>
    /// The PIN was right: drops attempt <paramref name="attemptId"/> and every wrong one (presumed wrong included); PINs
    /// of other commands still in flight stay.
    /// </summary>
    public void RecordRightPin(string attemptId)
    {
        ArgumentException.ThrowIfNullOrEmpty(attemptId);
        HasChanged |= _attempts.RemoveAll(a => IsCountedWrong(a) || IsAttempt(a, attemptId)) > 0;
    }

    /// <summary>Drops attempt <paramref name="attemptId"/>: its request said nothing about the PIN.</summary>
    public void Release(string attemptId)
    {
        ArgumentException.ThrowIfNullOrEmpty(attemptId);
        HasChanged |= _attempts.RemoveAll(a => IsAttempt(a, attemptId)) > 0;
    }

    private bool IsCountedWrong(PinAttempt attempt) => attempt.Rejected || attempt.At + _inFlightTimeout <= _now;

    private int Find(string attemptId) => _attempts.FindIndex(a => IsAttempt(a, attemptId));

    private static bool IsAttempt(PinAttempt attempt, string attemptId) => string.Equals(attempt.Id, attemptId, StringComparison.Ordinal);
}
