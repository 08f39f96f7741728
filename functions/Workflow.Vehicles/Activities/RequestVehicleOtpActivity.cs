using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Workflow.Vehicles.Api;
using Workflow.Vehicles.Lockout;

namespace Workflow.Vehicles.Activities;

/// <summary>
/// Requests a one-time password with <c>pims.authentication.otp</c>, <c>action: "withPIN"</c>. The only
/// code that opens the sealed PIN; it seals the OTP before returning it, so neither reaches durable
/// history in clear.
/// </summary>
/// <remarks>
/// <para>
/// A submission that is not a PIN the product's endpoint sealed for this command and round (not sealed by this app,
/// altered, another command's or round's) is ignored: nothing is sent, no attempt is used (<see cref="OtpRequestOutcome.NotAPin"/>).
/// A protector that fails otherwise (its data key cannot be read) fails the command: that is the host's problem. HTTP refusals come back with
/// <see cref="OtpRequestOutcome.GatewayRefused"/>; transient failures escape as
/// <see cref="VehicleApiTransientException"/> for the durable retry policy.
/// </para>
/// <para>
/// This is the only place a PIN goes upstream, so it enforces the per-vehicle lockout: it reserves an attempt
/// with <see cref="IPinAttemptLimiter"/> before sending (refusing with <see cref="OtpRequestOutcome.LockedOut"/>
/// when the vehicle has too many wrong PINs, <see cref="OtpRequestOutcome.Busy"/> when its PINs in flight fill the cap), and settles it by the answer: a wrong PIN keeps counting, a right PIN clears
/// the vehicle's failures, anything that says nothing about the PIN releases it. The attempt id is the input's
/// idempotency key, so a redelivered activity and its durable retries are one attempt.
/// </para>
/// </remarks>
public sealed partial class RequestVehicleOtpActivity(
    VehicleApiClient client,
    ISensitiveDataProtector protector,
    IPinAttemptLimiter limiter,
    IHostApplicationLifetime lifetime,
    ILogger<RequestVehicleOtpActivity> logger)
    : TaskActivity<RequestVehicleOtpInput, OtpRequestOutcome>
{
    /// <inheritdoc/>
    public override async Task<OtpRequestOutcome> RunAsync(TaskActivityContext context, RequestVehicleOtpInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        // Cancelled when the host stops, like CallVehicleApiActivity's call.
        CancellationToken cancellationToken = lifetime.ApplicationStopping;

        string pin;
        try
        {
            string unsealed = await protector.UnsealAsync(input.SealedPin ?? string.Empty, cancellationToken).ConfigureAwait(false);
            if (!PinSeal.TryOpen(unsealed, context.InstanceId, input.PinRound, out pin))
            {
                throw new SealedSecretRejectedException("The sealed value is not a PIN submitted to this command in this round.");
            }
        }
        catch (SealedSecretRejectedException ex)
        {
            // A host that cannot open a PIN it sealed itself fails the command (any other exception); a submission
            // that is not a PIN the product's endpoint sealed for this command and round is ignored. Only the type is
            // logged: a protector's message could in principle quote its input.
            LogNotAPin(logger, context.InstanceId, input.PinRound, ex.GetType().Name);
            return OtpRequestOutcome.NotSealedByThisApp();
        }

        string attemptId = input.IdempotencyKey;
        PinAttemptReservation reservation = await limiter.TryReserveAsync(input.Vin, attemptId, cancellationToken).ConfigureAwait(false);
        if (reservation.LockedOutUntil is { } lockedOutUntil)
        {
            return OtpRequestOutcome.LockedOut(lockedOutUntil);
        }

        if (reservation.BusyUntil is { } busyUntil)
        {
            return OtpRequestOutcome.Busy(busyUntil);
        }

        VehicleApiMessage answer;
        try
        {
            var request = new VehicleApiRequest(input.Vin, VehicleApiCodes.OtpApi, BuildParameters(pin, input.ResetStep));
            answer = await client.SendAsync(request, input.IdempotencyKey, cancellationToken).ConfigureAwait(false);
        }
        catch (VehicleApiException ex)
        {
            await limiter.ReleaseAsync(input.Vin, attemptId, cancellationToken).ConfigureAwait(false);
            return OtpRequestOutcome.Refused(ex.StatusCode, ex.Message);
        }
        catch (VehicleApiTransientException)
        {
            // A durable retry sends the same request again (same key), reserving the attempt anew.
            await limiter.ReleaseAsync(input.Vin, attemptId, cancellationToken).ConfigureAwait(false);
            throw;
        }

        if (!answer.IsSucceeded)
        {
            // Only 2308 says the PIN is wrong, exactly as the orchestrator counts it; 2310 (account blocked), 2313, 2317/2312
            // and the rest say nothing about this PIN.
            Task settle = answer.Error!.Code == VehicleApiCodes.WrongPin
                ? limiter.RecordWrongPinAsync(input.Vin, attemptId, cancellationToken)
                : limiter.ReleaseAsync(input.Vin, attemptId, cancellationToken);
            await settle.ConfigureAwait(false);
            return OtpRequestOutcome.Rejected(answer.Error, answer.TransactionId);
        }

        if (ReadOtp(answer.Result) is not { } otp)
        {
            await limiter.ReleaseAsync(input.Vin, attemptId, cancellationToken).ConfigureAwait(false);
            return OtpRequestOutcome.Refused(502, $"The vehicle API answered {VehicleApiCodes.OtpApi} without an OTP.");
        }

        await limiter.RecordRightPinAsync(input.Vin, attemptId, cancellationToken).ConfigureAwait(false);
        return OtpRequestOutcome.Issued(await protector.SealAsync(otp, cancellationToken).ConfigureAwait(false), answer.TransactionId);
    }

    private static JsonElement BuildParameters(string pin, bool resetStep)
    {
        var parameters = new Dictionary<string, object>
        {
            ["action"] = VehicleApiCodes.WithPinAction,
            ["pinCode"] = pin,
        };
        if (resetStep)
        {
            parameters["resetStep"] = true;
        }

        return JsonSerializer.SerializeToElement(parameters);
    }

    private static string? ReadOtp(JsonElement? result) =>
        result is { ValueKind: JsonValueKind.Object } r && r.TryGetProperty("otp", out JsonElement otp) && otp.ValueKind == JsonValueKind.String
            ? otp.GetString() is { Length: > 0 } value ? value : null
            : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Vehicle command {InstanceId}: the Pin event of round {PinRound} is not a PIN the product sealed for it ({ErrorType}); ignored, no attempt used")]
    private static partial void LogNotAPin(ILogger logger, string instanceId, int pinRound, string errorType);
}
