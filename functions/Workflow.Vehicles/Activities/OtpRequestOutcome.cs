using System.Globalization;

namespace Workflow.Vehicles.Activities;

/// <summary>Output of <see cref="RequestVehicleOtpActivity"/>: a sealed OTP, or why there is none. Never the OTP in clear.</summary>
/// <param name="SealedOtp">The OTP sealed with <see cref="ISensitiveDataProtector"/>, when one was issued.</param>
/// <param name="Error">
/// The pims error (a wrong PIN, 2317/2312, ...); with <paramref name="GatewayRefused"/>, the HTTP-level refusal;
/// with <paramref name="LockedOutUntil"/>, the lockout (<see cref="PinLockedOutCode"/>).
/// </param>
/// <param name="TransactionId">The gateway's transaction id, when the request reached the pims layer.</param>
/// <param name="GatewayRefused">
/// The request never got a pims answer (HTTP refusal, gateway unavailable): not the PIN's fault, so no
/// other PIN is asked for.
/// </param>
/// <param name="LockedOutUntil">
/// Set when the PIN was not sent at all because the vehicle has had too many failed PIN attempts across
/// commands: the moment it may try again. Comes from the activity, so the orchestrator stays deterministic.
/// </param>
/// <param name="BusyUntil">
/// Set when the PIN was not sent because the vehicle's PINs in flight fill its cap: try again then.
/// </param>
/// <param name="NotAPin">
/// Set when the submission was not a PIN sealed by this app for this command and round: nothing was sent, no attempt
/// used; the orchestration ignores it.
/// </param>
/// <param name="Unavailable">
/// Set by the orchestrator when the request kept failing transiently past every durable retry (with
/// <paramref name="GatewayRefused"/>): the command ends <c>VehicleUnavailable</c>.
/// </param>
public sealed record OtpRequestOutcome(
    string? SealedOtp,
    VehicleError? Error,
    string? TransactionId,
    bool GatewayRefused,
    DateTimeOffset? LockedOutUntil = null,
    DateTimeOffset? BusyUntil = null,
    bool NotAPin = false,
    bool Unavailable = false)
{
    /// <summary>
    /// Error code of a PIN not sent because the vehicle is locked out. It is in the HTTP status space, like every
    /// error the workflow makes up itself (never a pims 2xxx code): 429 Too Many Requests.
    /// </summary>
    public const int PinLockedOutCode = 429;

    /// <summary>An OTP was issued.</summary>
    public static OtpRequestOutcome Issued(string sealedOtp, string? transactionId) => new(sealedOtp, null, transactionId, false);

    /// <summary>The pims layer refused the OTP request.</summary>
    public static OtpRequestOutcome Rejected(VehicleError error, string? transactionId) => new(null, error, transactionId, false);

    /// <summary>The gateway refused the request at the HTTP level.</summary>
    public static OtpRequestOutcome Refused(int code, string label) => new(null, new VehicleError(code, label), null, true);

    /// <summary>The request stayed unavailable past every retry.</summary>
    public static OtpRequestOutcome GaveUp(string label) => new(null, new VehicleError(Api.VehicleApiCodes.Unavailable, label), null, true, Unavailable: true);

    /// <summary>The submission is not a PIN for this command and round: ignored.</summary>
    public static OtpRequestOutcome NotSealedByThisApp() => new(null, null, null, false, NotAPin: true);

    /// <summary>The PIN was not sent: too many PINs are in flight for the vehicle until <paramref name="until"/>.</summary>
    public static OtpRequestOutcome Busy(DateTimeOffset until) => new(null, null, null, false, BusyUntil: until);

    /// <summary>The PIN was not sent: the vehicle is locked out until <paramref name="until"/>.</summary>
    public static OtpRequestOutcome LockedOut(DateTimeOffset until)
    {
        // Rounded up to the second, so the time in the label is never before the lockout ends.
        var retryAt = new DateTime((until.UtcTicks + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        string label = string.Create(
            CultureInfo.InvariantCulture,
            $"Too many failed PIN attempts for this vehicle across commands: to protect the owner's account, no PIN is sent for it until {retryAt:yyyy-MM-ddTHH:mm:ssZ}. Try again after that with a new command.");
        return new(null, new VehicleError(PinLockedOutCode, label), null, false, until);
    }
}
