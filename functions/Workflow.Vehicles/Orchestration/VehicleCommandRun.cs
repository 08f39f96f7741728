using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Workflow.Vehicles.Activities;
using Workflow.Vehicles.Api;

namespace Workflow.Vehicles.Orchestration;

/// <summary>
/// One execution of the vehicle command orchestration, with its counters. Everything here runs inside
/// the orchestrator: it only talks to the world through the context, so it replays deterministically.
/// </summary>
internal sealed class VehicleCommandRun
{
    private readonly TaskOrchestrationContext _context;
    private readonly VehicleCommandRequest _request;
    private readonly VehicleCommandSettings _options;
    private readonly TaskOptions _retry;
    private readonly ILogger _log;
    private readonly IdempotencyKeys _keys;
    private int _calls;
    private int _otpRequests;
    private int _pinAttemptsUsed;
    private int _pinRounds;
    private bool _resetStepUsed;
    private bool _unavailable;

    /// <summary>How often an OTP request waits for the vehicle's PINs in flight before it gives up.</summary>
    private const int MaxBusyWaits = 10;

    public VehicleCommandRun(TaskOrchestrationContext context, VehicleCommandInput input, ILogger log)
    {
        _context = context;
        _request = input.Command;
        _options = input.Settings;
        _log = log;
        _keys = new IdempotencyKeys(context.InstanceId, input.ExecutionId);
        _retry = TaskOptions.FromRetryPolicy(new RetryPolicy(
            _options.RetryMaxAttempts,
            _options.RetryFirstInterval,
            _options.RetryBackoffCoefficient,
            _options.RetryMaxInterval,
            _options.RetryTimeout)
        {
            // Only outages are worth waiting for; anything else would fail the same way again.
            HandleFailure = VehicleApiTransientException.IsCause,
        });
    }

    public async Task<VehicleCommandResult> ExecuteAsync()
    {
        SetStatus(new VehicleCommandStatus(VehicleCommandStage.CallingVehicle));
        VehicleApiMessage answer = await CallAsync(sealedOtp: null);
        if (!answer.FailedWith(VehicleApiCodes.NeedStrongAuthentication))
        {
            return Finish(answer);
        }

        PinWait? wait = null;
        string? sealedPin = null;
        int pinRound = 0;
        bool lastPinRejected = false;
        bool extraOtpRoundUsed = false;
        VehicleApiMessage? lastRejection = null;
        while (true)
        {
            if (sealedPin is null)
            {
                if (wait is null)
                {
                    if (_pinAttemptsUsed >= _options.MaxPinAttempts)
                    {
                        return Finish(lastRejection!, VehicleCommandOutcome.PinAttemptsExhausted);
                    }

                    wait = StartPinWait(lastPinRejected);
                }

                sealedPin = await NextPinAsync(wait);
                if (sealedPin is null)
                {
                    return Finish(answer, VehicleCommandOutcome.PinTimeout);
                }

                pinRound = wait.Round;
            }

            SetStatus(new VehicleCommandStatus(VehicleCommandStage.RequestingOtp));
            OtpRequestOutcome otp = await RequestOtpAsync(sealedPin, pinRound);
            if (otp.NotAPin && wait is not null)
            {
                // Not a PIN the product sealed for this round (the activity logged it): no attempt used; the round
                // waits on, to its own deadline.
                sealedPin = null;
                SetStatus(wait.Status);
                continue;
            }

            wait?.End();
            wait = null;
            _pinAttemptsUsed++;
            if (otp.SealedOtp is null)
            {
                var failure = new VehicleApiMessage(otp.TransactionId, VehicleApiCodes.Failed, null, otp.Error);
                if (otp.LockedOutUntil is { } lockedOutUntil)
                {
                    VehicleWorkflowLog.PinLockedOut(_log, _context.InstanceId, _request.Vin, lockedOutUntil);
                    return Finish(failure, VehicleCommandOutcome.PinLockedOut);
                }

                if (otp.Unavailable)
                {
                    return Finish(failure, VehicleCommandOutcome.VehicleUnavailable);
                }

                if (otp.GatewayRefused)
                {
                    return Finish(failure, VehicleCommandOutcome.VehicleError);
                }

                int code = otp.Error!.Code;
                if (VehicleApiCodes.NeedsResetStep(code))
                {
                    return Finish(failure, VehicleCommandOutcome.OtpFailed);
                }

                if (code != VehicleApiCodes.WrongPin)
                {
                    // 2310 (account blocked: no further PIN is asked for or sent), 2313 (enrolment needed), or a code
                    // that says nothing about the PIN: the command ends (Finish names the outcome).
                    return Finish(failure);
                }

                VehicleWorkflowLog.PinRejected(_log, _context.InstanceId, code);
                lastRejection = failure;
                lastPinRejected = true;
                sealedPin = null;
                continue;
            }

            SetStatus(new VehicleCommandStatus(VehicleCommandStage.RetryingCall));
            answer = await CallAsync(otp.SealedOtp);
            if (!answer.FailedWith(VehicleApiCodes.NeedStrongAuthentication) || extraOtpRoundUsed || _pinAttemptsUsed >= _options.MaxPinAttempts)
            {
                return Finish(answer);
            }

            // The OTP was refused (expired, say) but the PIN was right: one more OTP round with the same
            // PIN, within the attempt budget, without bothering the user again.
            extraOtpRoundUsed = true;
        }
    }

    /// <summary>Opens the next PIN round: publishes it with its deadline and starts its durable timer.</summary>
    private PinWait StartPinWait(bool lastPinRejected)
    {
        _pinRounds++;
        int attemptsLeft = _options.MaxPinAttempts - _pinAttemptsUsed;
        DateTime deadline = _context.CurrentUtcDateTime + _options.PinTimeout;
        var wait = new PinWait(
            _pinRounds,
            new VehicleCommandStatus(VehicleCommandStage.AwaitingPin, attemptsLeft, deadline, lastPinRejected, _pinRounds),
            _context,
            deadline);
        SetStatus(wait.Status);
        VehicleWorkflowLog.AwaitingPin(_log, _context.InstanceId, _request.Api, _request.Vin, attemptsLeft, deadline);
        return wait;
    }

    /// <summary>The sealed PIN of this round's next Pin event, or <c>null</c> when the round's deadline passes first.</summary>
    private async Task<string?> NextPinAsync(PinWait wait)
    {
        while (true)
        {
            Task<PinSubmission> next = _context.WaitForExternalEvent<PinSubmission>(VehicleCommandNames.PinEvent);
            if (await Task.WhenAny(next, wait.Timeout) == wait.Timeout)
            {
                return null;
            }

            PinSubmission? pin = await next;
            if (pin is { Round: var round, SealedPin: { Length: > 0 } sealedPin } && round == wait.Round)
            {
                return sealedPin;
            }

            // A PIN for another round (a late duplicate) or without one: not this round's PIN.
            VehicleWorkflowLog.PinIgnored(_log, _context.InstanceId, wait.Round);
        }
    }

    private async Task<OtpRequestOutcome> RequestOtpAsync(string sealedPin, int pinRound)
    {
        _otpRequests++;
        OtpRequestOutcome outcome = await RunOtpActivityAsync(sealedPin, pinRound, reset: 0);
        for (int reset = 1; reset <= _options.ResetStepRetries && outcome is { GatewayRefused: false, Error.Code: var code } && VehicleApiCodes.NeedsResetStep(code); reset++)
        {
            VehicleWorkflowLog.ResettingStep(_log, _context.InstanceId, code);
            _resetStepUsed = true;
            outcome = await RunOtpActivityAsync(sealedPin, pinRound, reset);
        }

        return outcome;
    }

    /// <summary>
    /// One OTP request; while the vehicle's PINs in flight fill its cap, waits (a durable timer) until the activity says
    /// a place may be free and asks again with the same key, at most <see cref="MaxBusyWaits"/> times.
    /// </summary>
    private async Task<OtpRequestOutcome> RunOtpActivityAsync(string sealedPin, int pinRound, int reset)
    {
        OtpRequestOutcome outcome = await RunOtpActivityOnceAsync(sealedPin, pinRound, reset);
        for (int waits = 1; outcome.BusyUntil is { } busyUntil; waits++)
        {
            if (waits > MaxBusyWaits)
            {
                return OtpRequestOutcome.Refused(
                    OtpRequestOutcome.PinLockedOutCode,
                    $"Other commands kept this vehicle's PINs in flight for too long; the PIN was not sent. Try again with a new command.");
            }

            await _context.CreateTimer(busyUntil.UtcDateTime, CancellationToken.None);
            outcome = await RunOtpActivityOnceAsync(sealedPin, pinRound, reset);
        }

        return outcome;
    }

    private async Task<OtpRequestOutcome> RunOtpActivityOnceAsync(string sealedPin, int pinRound, int reset)
    {
        var input = new RequestVehicleOtpInput(_request.Vin, sealedPin, pinRound, reset > 0, _keys.Otp(_otpRequests, reset));
        try
        {
            return await _context.CallActivityAsync<OtpRequestOutcome>(VehicleActivityNames.RequestOtp, input, _retry);
        }
        catch (TaskFailedException ex) when (VehicleApiTransientException.IsCause(ex.FailureDetails))
        {
            VehicleWorkflowLog.GaveUp(_log, _context.InstanceId, VehicleActivityNames.RequestOtp);
            return OtpRequestOutcome.GaveUp(Unavailable(ex));
        }
    }

    /// <summary>
    /// The next call of the command's API; while the car answers busy (2353/2364), waits <see cref="VehicleCommandSettings.BusyRetryDelay"/>
    /// (a durable timer) and repeats it under a key of its own, at most <see cref="VehicleCommandSettings.BusyRetryAttempts"/> times.
    /// </summary>
    private async Task<VehicleApiMessage> CallAsync(string? sealedOtp)
    {
        _calls++;
        VehicleApiMessage answer = await CallOnceAsync(sealedOtp, _keys.Call(_calls));
        for (int busy = 1; !_unavailable && answer.Error is { Code: var code } && !answer.IsSucceeded && VehicleApiCodes.IsBusy(code) && busy <= _options.BusyRetryAttempts; busy++)
        {
            VehicleWorkflowLog.VehicleBusy(_log, _context.InstanceId, code, busy, _options.BusyRetryAttempts, _options.BusyRetryDelay);
            await _context.CreateTimer(_context.CurrentUtcDateTime + _options.BusyRetryDelay, CancellationToken.None);
            answer = await CallOnceAsync(sealedOtp, _keys.BusyRetry(_calls, busy));
        }

        return answer;
    }

    private async Task<VehicleApiMessage> CallOnceAsync(string? sealedOtp, string idempotencyKey)
    {
        var input = new CallVehicleApiInput(_request.Vin, _request.Api, _request.Parameters, sealedOtp, idempotencyKey);
        try
        {
            return await _context.CallActivityAsync<VehicleApiMessage>(VehicleActivityNames.CallVehicleApi, input, _retry);
        }
        catch (TaskFailedException ex) when (VehicleApiTransientException.IsCause(ex.FailureDetails))
        {
            VehicleWorkflowLog.GaveUp(_log, _context.InstanceId, VehicleActivityNames.CallVehicleApi);
            _unavailable = true;
            return VehicleApiMessage.FromHttpFailure(VehicleApiCodes.Unavailable, Unavailable(ex));
        }
    }

    private string Unavailable(TaskFailedException ex) =>
        $"The vehicle API stayed unavailable after {_options.RetryMaxAttempts} attempts or {_options.RetryTimeout}: {ex.FailureDetails.ErrorMessage}";

    /// <summary>The outcome of a call's last answer (the README's outcome table).</summary>
    private VehicleCommandOutcome OutcomeOf(VehicleApiMessage answer) =>
        answer.IsSucceeded ? VehicleCommandOutcome.Succeeded
        : _unavailable ? VehicleCommandOutcome.VehicleUnavailable
        : answer.Error?.Code switch
        {
            VehicleApiCodes.AccountBlocked => VehicleCommandOutcome.AccountBlocked,
            VehicleApiCodes.EnrollmentRequired => VehicleCommandOutcome.EnrollmentRequired,
            int code when VehicleApiCodes.IsBusy(code) => VehicleCommandOutcome.VehicleBusy,
            _ => VehicleCommandOutcome.VehicleError,
        };

    private void SetStatus(VehicleCommandStatus status) => _context.SetCustomStatus(status);

    private VehicleCommandResult Finish(VehicleApiMessage answer, VehicleCommandOutcome? outcome = null)
    {
        var result = new VehicleCommandResult
        {
            Status = answer.Status,
            Result = answer.Result,
            Error = answer.Error,
            TransactionId = answer.TransactionId,
            Outcome = outcome ?? OutcomeOf(answer),
            PinAttemptsUsed = _pinAttemptsUsed,
            ResetStepUsed = _resetStepUsed,
        };
        // A finished command has no stage: a stale "AwaitingPin" with a past deadline would only mislead.
        _context.SetCustomStatus(null);
        VehicleWorkflowLog.Finished(_log, _context.InstanceId, _request.Api, _request.Vin, result.Outcome, result.Status, result.Error?.Code, result.TransactionId, result.PinAttemptsUsed);
        return result;
    }
}
