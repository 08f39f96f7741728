namespace Workflow.Vehicles.Activities;

/// <summary>Output of <see cref="RequestVehicleOtpActivity"/>: a sealed OTP, or why there is none. Never the OTP in clear.</summary>
/// <param name="SealedOtp">The OTP sealed with <see cref="ISensitiveDataProtector"/>, when one was issued.</param>
/// <param name="Error">The pims error (a wrong PIN, 2317/2312, ...) or, with <paramref name="GatewayRefused"/>, the HTTP-level refusal.</param>
/// <param name="TransactionId">The gateway's transaction id, when the request reached the pims layer.</param>
/// <param name="GatewayRefused">
/// The request never got a pims answer (HTTP refusal, gateway unavailable): not the PIN's fault, so no
/// other PIN is asked for.
/// </param>
public sealed record OtpRequestOutcome(string? SealedOtp, VehicleError? Error, string? TransactionId, bool GatewayRefused)
{
    /// <summary>An OTP was issued.</summary>
    public static OtpRequestOutcome Issued(string sealedOtp, string? transactionId) => new(sealedOtp, null, transactionId, false);

    /// <summary>The pims layer refused the OTP request.</summary>
    public static OtpRequestOutcome Rejected(VehicleError error, string? transactionId) => new(null, error, transactionId, false);

    /// <summary>The gateway refused the request at the HTTP level.</summary>
    public static OtpRequestOutcome Refused(int code, string label) => new(null, new VehicleError(code, label), null, true);
}
