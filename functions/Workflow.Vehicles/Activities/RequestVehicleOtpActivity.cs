using System.Text.Json;
using Microsoft.Extensions.Logging;
using Workflow.Durable;
using Workflow.Vehicles.Api;

namespace Workflow.Vehicles.Activities;

/// <summary>
/// Requests a one-time password with <c>pims.authentication.otp</c>, <c>action: "withPIN"</c>. The only
/// code that opens the sealed PIN; it seals the OTP before returning it, so neither reaches durable
/// history in clear.
/// </summary>
/// <remarks>
/// A PIN that cannot be unsealed (not sealed by this app, altered) counts as a rejected PIN rather than
/// failing the command: it came from outside. HTTP refusals come back with
/// <see cref="OtpRequestOutcome.GatewayRefused"/>; transient failures escape as
/// <see cref="VehicleApiTransientException"/> for the durable retry policy.
/// </remarks>
public sealed partial class RequestVehicleOtpActivity(
    VehicleApiClient client,
    ISensitiveDataProtector protector,
    ILogger<RequestVehicleOtpActivity> logger)
    : TaskActivity<RequestVehicleOtpInput, OtpRequestOutcome>
{
    /// <summary>Error code of a PIN submission that could not be unsealed (HTTP status space: the request was bad).</summary>
    public const int UnreadablePinCode = 400;

    /// <inheritdoc/>
    public override async Task<OtpRequestOutcome> RunAsync(TaskActivityContext context, RequestVehicleOtpInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        CancellationToken cancellationToken = context.CancellationToken;

        string pin;
        try
        {
            pin = await protector.UnsealAsync(input.SealedPin ?? string.Empty, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Only the type is logged: a protector's message could in principle quote its input.
            LogUnreadablePin(logger, context.InstanceId, ex.GetType().Name);
            return OtpRequestOutcome.Rejected(new VehicleError(UnreadablePinCode, "The PIN could not be read: it was not sealed by this app."), transactionId: null);
        }

        VehicleApiMessage answer;
        try
        {
            var request = new VehicleApiRequest(input.Vin, VehicleApiCodes.OtpApi, BuildParameters(pin, input.ResetStep));
            answer = await client.SendAsync(request, input.IdempotencyKey, cancellationToken).ConfigureAwait(false);
        }
        catch (VehicleApiException ex)
        {
            return OtpRequestOutcome.Refused(ex.StatusCode, ex.Message);
        }

        if (!answer.IsSucceeded)
        {
            return OtpRequestOutcome.Rejected(answer.Error!, answer.TransactionId);
        }

        if (ReadOtp(answer.Result) is not { } otp)
        {
            return OtpRequestOutcome.Refused(502, $"The vehicle API answered {VehicleApiCodes.OtpApi} without an OTP.");
        }

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Vehicle command {InstanceId}: the submitted PIN could not be unsealed ({ErrorType}); counted as a rejected PIN")]
    private static partial void LogUnreadablePin(ILogger logger, string instanceId, string errorType);
}
