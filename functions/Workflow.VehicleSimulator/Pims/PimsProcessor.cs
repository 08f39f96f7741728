using Workflow.VehicleSimulator.State;

namespace Workflow.VehicleSimulator.Pims;

/// <summary>The business behaviour of <c>pims.get(api, parameters)</c>, one VIN at a time.</summary>
internal sealed class PimsProcessor(SimulatorState state, VehicleSimulatorOptions options)
{
    /// <summary>
    /// Answers a call, or replays the first answer for its (VIN, Idempotency-Key) without acting again.
    /// Runs under the state gate so that check, action and record are one step.
    /// </summary>
    public (PimsMessage Message, bool Replayed) Handle(PimsCall call)
    {
        lock (state.Gate)
        {
            if (call.IdempotencyKey is { } key && state.Idempotency.TryGet(call.Vin, key, out var first))
            {
                return (first, true);
            }

            var message = Execute(call, Guid.NewGuid().ToString());
            if (call.IdempotencyKey is { } newKey)
            {
                state.Idempotency.Store(call.Vin, newKey, message);
            }

            return (message, false);
        }
    }

    private PimsMessage Execute(PimsCall call, string transactionId)
    {
        // Queued errors come first and act on nothing (an OTP sent along is not consumed), so a test
        // can make any call fail without side effects.
        if (state.Vehicles.TryDequeueError(call.Vin, call.Api, out var code))
        {
            if (call.Api == PimsCodes.OtpApi && PimsCodes.IsStepCacheError(code))
            {
                state.Vehicles.SetStaleStepCode(call.Vin, code);
            }

            return PimsMessage.Failed(transactionId, code);
        }

        // Before the strong-auth check: whatever the configured prefix, the OTP API must stay reachable without an OTP.
        if (call.Api == PimsCodes.OtpApi)
        {
            return OtpRequestHandler.Handle(call, transactionId, state, options);
        }

        var now = state.Time.GetUtcNow();
        if (IsStrongAuthApi(call.Api))
        {
            if (call.Otp is null || !state.Otps.TryConsume(call.Vin, call.Otp))
            {
                return PimsMessage.Failed(transactionId, PimsCodes.NeedStrongAuthentication);
            }

            return PimsMessage.Succeeded(
                transactionId,
                new { vin = call.Vin, api = call.Api, parameters = call.Parameters, action = "executed", executedAt = now });
        }

        return PimsMessage.Succeeded(
            transactionId,
            new { vin = call.Vin, api = call.Api, parameters = call.Parameters, retrievedAt = now });
    }

    private bool IsStrongAuthApi(string api) => api.StartsWith(options.StrongAuthApiPrefix, StringComparison.Ordinal);
}
