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

            // A transient or busy answer did nothing: a retry under the same key is processed anew.
            if (call.IdempotencyKey is { } newKey && !(message.Error is { } error && PimsCodes.IsRetryable(error.Code)))
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

        // The API must exist and be called with its verb (pims.get / pims.set).
        if (PimsCatalogue.VerbOf(call.Api) is not { } verb || verb != call.Verb)
        {
            return PimsMessage.Failed(transactionId, PimsCodes.InvalidParameter, "api");
        }

        if (call.Api == PimsCodes.OtpApi)
        {
            return OtpRequestHandler.Handle(call, transactionId, state, options);
        }

        if (PimsCatalogue.Check(call) is { } invalid)
        {
            return PimsMessage.Failed(transactionId, invalid.Code, invalid.Parameter);
        }

        return VehicleCommandHandler.Handle(call, transactionId, state, options);
    }
}
