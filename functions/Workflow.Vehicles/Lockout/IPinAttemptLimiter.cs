namespace Workflow.Vehicles.Lockout;

/// <summary>
/// Caps the failed PIN attempts of one vehicle across all its commands within a sliding window, so that
/// nobody can lock the owner's account at the gateway by sending wrong PINs through many commands. Every
/// app instance must share one record per vehicle: the host implements this on shared storage.
/// </summary>
/// <remarks>
/// <para>
/// The protocol around each PIN sent upstream (<c>RequestVehicleOtpActivity</c>):
/// <see cref="TryReserveAsync"/> before sending, then exactly one verdict:
/// <see cref="RecordWrongPinAsync"/>, <see cref="RecordRightPinAsync"/> or <see cref="ReleaseAsync"/>.
/// Only wrong PINs lock a vehicle out. A reservation is a PIN in flight: wrong plus in-flight PINs never exceed the
/// cap, so concurrent commands cannot all pass a check that only some of them should pass; the others are told when
/// to try again. One whose verdict never comes (a crash) is presumed wrong after <c>PinInFlightTimeout</c>.
/// </para>
/// <para>
/// Activities run at least once, so the caller passes its idempotency key as <c>attemptId</c>: the same
/// id is counted once, however often it is reserved or recorded.
/// </para>
/// <para>
/// Every attempt expires <c>FailedPinAttemptWindow</c> after it was reserved
/// (<see cref="Options.VehicleWorkflowOptions"/>); a vehicle is locked out while it has
/// <c>MaxFailedPinAttemptsPerVehicle</c> or more wrong PINs that have not expired.
/// See <see cref="PinAttemptLedger"/> for the rules every implementation applies.
/// </para>
/// </remarks>
public interface IPinAttemptLimiter
{
    /// <summary>Reserves an attempt for <paramref name="vin"/> before its PIN is sent upstream, unless the vehicle is locked out or busy.</summary>
    /// <param name="vin">The vehicle.</param>
    /// <param name="attemptId">Identifies this attempt (the OTP request's idempotency key); reserving it again changes nothing.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Reserved; locked out, or busy, with the moment the vehicle may try again.</returns>
    Task<PinAttemptReservation> TryReserveAsync(string vin, string attemptId, CancellationToken cancellationToken);

    /// <summary>The gateway refused the PIN: the attempt stays and counts as failed until it expires.</summary>
    /// <param name="vin">The vehicle.</param>
    /// <param name="attemptId">The reserved attempt.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task RecordWrongPinAsync(string vin, string attemptId, CancellationToken cancellationToken);

    /// <summary>
    /// The gateway accepted the PIN: drops the attempt and every failed attempt of the vehicle (the owner has
    /// proven the PIN, as the gateway's own counter is reset). Attempts of other commands still in flight stay:
    /// their PIN may yet prove wrong.
    /// </summary>
    /// <param name="vin">The vehicle.</param>
    /// <param name="attemptId">The reserved attempt.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task RecordRightPinAsync(string vin, string attemptId, CancellationToken cancellationToken);

    /// <summary>The request said nothing about the PIN (gateway refusal, outage, 2317/2312): the attempt no longer counts.</summary>
    /// <param name="vin">The vehicle.</param>
    /// <param name="attemptId">The reserved attempt.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task ReleaseAsync(string vin, string attemptId, CancellationToken cancellationToken);

    /// <summary>Whether a PIN for <paramref name="vin"/> may be sent now, as <see cref="TryReserveAsync"/> would answer. Changes nothing.</summary>
    /// <param name="vin">The vehicle.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<PinAttemptReservation> CheckAsync(string vin, CancellationToken cancellationToken);
}
