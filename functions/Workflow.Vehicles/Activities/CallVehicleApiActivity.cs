using Microsoft.DurableTask;
using Microsoft.Extensions.Hosting;
using Workflow.Vehicles.Api;

namespace Workflow.Vehicles.Activities;

/// <summary>
/// Calls the vehicle API once, carrying the OTP when the orchestration has one. Only this activity ever
/// sees the OTP in clear, and only in memory for the duration of the request.
/// </summary>
/// <remarks>
/// Answers, FAILED ones included, come back as a <see cref="VehicleApiMessage"/>; so do HTTP refusals that
/// retrying will not fix (code = the HTTP status). Transient failures escape as
/// <see cref="VehicleApiTransientException"/> for the orchestration's durable retry policy. The
/// <c>Idempotency-Key</c> comes from the input, so a redelivered or retried call replays the gateway's
/// first answer instead of acting twice. The call is cancelled when the host stops (Microsoft.DurableTask gives an
/// activity no token of its own); the engine then runs it again elsewhere with the same key.
/// </remarks>
public sealed class CallVehicleApiActivity(VehicleApiClient client, ISensitiveDataProtector protector, IHostApplicationLifetime lifetime)
    : TaskActivity<CallVehicleApiInput, VehicleApiMessage>
{
    /// <inheritdoc/>
    public override async Task<VehicleApiMessage> RunAsync(TaskActivityContext context, CallVehicleApiInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        CancellationToken cancellationToken = lifetime.ApplicationStopping;
        string? otp = input.SealedOtp is null ? null : await protector.UnsealAsync(input.SealedOtp, cancellationToken).ConfigureAwait(false);
        try
        {
            var request = new VehicleApiRequest(input.Vin, input.Api, input.Parameters, otp);
            return await client.SendAsync(request, input.IdempotencyKey, cancellationToken).ConfigureAwait(false);
        }
        catch (VehicleApiException ex)
        {
            return VehicleApiMessage.FromHttpFailure(ex.StatusCode, ex.Message);
        }
    }
}
