using Workflow.Testing;
using Microsoft.DurableTask.Client;
using Workflow.VehicleSimulator.State;
using Workflow.Vehicles.Tests.Infrastructure;

namespace Workflow.Vehicles.Tests;

/// <summary>The orchestration's paths through strong authentication, on the in-memory Durable Task engine and the simulator over HTTP.</summary>
public sealed class StrongAuthenticationTests(DefaultWorkflowFixture fixture) : IClassFixture<DefaultWorkflowFixture>
{
    private const string RemoteApi = VehicleWorkflowHost.CommandApi;
    private const string OtpApi = VehicleWorkflowHost.OtpApi;
    private readonly VehicleWorkflowHost _host = fixture.Host;

    [Fact]
    public async Task A_call_that_needs_no_strong_authentication_succeeds_at_once()
    {
        string vin = TestVins.New();
        string id = await _host.StartCommandAsync(vin, VehicleWorkflowHost.InformationsApi, VehicleWorkflowHost.Read);

        (OrchestrationMetadata metadata, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.Succeeded, result.Outcome);
        Assert.Equal("SUCCEEDED", result.Status);
        Assert.Null(result.Error);
        Assert.False(string.IsNullOrEmpty(result.TransactionId));
        Assert.Equal("get", result.Result!.Value.GetProperty("action").GetString());
        Assert.Equal(0, result.PinAttemptsUsed);
        Assert.False(result.ResetStepUsed);
        RequestLogEntry only = Assert.Single(await _host.Simulator.GetRequestsAsync(vin));
        Assert.Equal("call-1", IdempotencyKeyShape.Parse(id, only.IdempotencyKey).Step);
        Assert.False(only.Replayed);

        // The product's payload shape (CommandPayloadConverter): camelCase names, enums as strings, encrypted at rest.
        Assert.DoesNotContain(vin, metadata.SerializedInput, StringComparison.Ordinal);
        Assert.DoesNotContain("Succeeded", metadata.SerializedOutput, StringComparison.Ordinal);
        Assert.Contains("\"outcome\":\"Succeeded\"", _host.Decrypt(metadata.SerializedOutput), StringComparison.Ordinal);
        Assert.Contains("\"command\":{\"vin\":\"" + vin + "\"", _host.Decrypt(metadata.SerializedInput), StringComparison.Ordinal);
        Assert.Contains("\"settings\":{\"pinTimeout\":", _host.Decrypt(metadata.SerializedInput), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_vehicle_error_other_than_2302_is_passed_through()
    {
        string vin = TestVins.New();
        await _host.Simulator.QueueErrorsAsync(vin, VehicleWorkflowHost.InformationsApi, [2400]);
        string id = await _host.StartCommandAsync(vin, VehicleWorkflowHost.InformationsApi, VehicleWorkflowHost.Read);

        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.VehicleError, result.Outcome);
        Assert.Equal("FAILED", result.Status);
        Assert.Equal(2400, result.Error!.Code);
        Assert.False(string.IsNullOrEmpty(result.Error.Label));
        Assert.False(string.IsNullOrEmpty(result.TransactionId));
        Assert.Equal(0, result.PinAttemptsUsed);
        Assert.Equal(["call-1"], IdempotencyKeyShape.Steps(id, await _host.Simulator.GetRequestsAsync(vin)).Steps);
    }

    [Fact]
    public async Task Need_strong_authentication_waits_for_a_pin_gets_an_otp_and_repeats_the_call()
    {
        string vin = TestVins.New();
        string id = await _host.StartCommandAsync(vin, RemoteApi, VehicleWorkflowHost.Lock);

        VehicleCommandStatus awaiting = await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);
        Assert.False(awaiting.LastPinRejected);
        OrchestrationMetadata waiting = (await _host.Client.GetInstanceAsync(id, getInputsAndOutputs: true))!;
        Assert.Equal(OrchestrationRuntimeStatus.Running, waiting.RuntimeStatus);
        Assert.Contains("\"stage\":\"AwaitingPin\"", _host.Decrypt(waiting.SerializedCustomStatus), StringComparison.Ordinal);
        Assert.Contains("\"pinAttemptsLeft\":3", _host.Decrypt(waiting.SerializedCustomStatus), StringComparison.Ordinal);

        // The deadline published is PinTimeout after the wait began, which was between the start and now.
        DateTime waitBegan = awaiting.PinDeadline!.Value.ToUniversalTime() - _host.Options.PinTimeout;
        Assert.InRange(waitBegan, waiting.CreatedAt.UtcDateTime, DateTime.UtcNow);

        await _host.SubmitPinAsync(id, VehicleWorkflowHost.DefaultPin);
        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.Succeeded, result.Outcome);
        Assert.Equal("doors", result.Result!.Value.GetProperty("action").GetString());
        Assert.Equal("lock", result.Result!.Value.GetProperty("parameters").GetProperty("doorState").GetString());
        Assert.Equal(1, result.PinAttemptsUsed);
        Assert.False(result.ResetStepUsed);

        IReadOnlyList<RequestLogEntry> requests = await _host.Simulator.GetRequestsAsync(vin);
        Assert.Equal(["call-1", "otp-1", "call-2"], IdempotencyKeyShape.Steps(id, requests).Steps);
        Assert.Collection(
            requests,
            r => AssertRequest(r, RemoteApi, hasOtp: false, errorCode: 2302),
            r => AssertRequest(r, OtpApi, hasOtp: false, errorCode: null),
            r => AssertRequest(r, RemoteApi, hasOtp: true, errorCode: null));
        Assert.True(Assert.Single(await _host.Simulator.GetOtpsAsync(vin)).Used);
    }

    [Theory]
    [InlineData(2317)]
    [InlineData(2312)]
    public async Task An_otp_request_refused_with_a_stale_step_is_repeated_with_resetStep(int code)
    {
        string vin = TestVins.New();
        await _host.Simulator.QueueErrorsAsync(vin, OtpApi, [code]);
        string id = await _host.StartCommandAsync(vin, RemoteApi, VehicleWorkflowHost.Lock);
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);

        await _host.SubmitPinAsync(id, VehicleWorkflowHost.DefaultPin);
        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.Succeeded, result.Outcome);
        Assert.True(result.ResetStepUsed);
        Assert.Equal(1, result.PinAttemptsUsed);
        IReadOnlyList<RequestLogEntry> requests = await _host.Simulator.GetRequestsAsync(vin);
        Assert.Equal(["call-1", "otp-1", "otp-1-reset-1", "call-2"], IdempotencyKeyShape.Steps(id, requests).Steps);
        Assert.Equal(code, requests[1].ErrorCode);
        Assert.Null(requests[2].ErrorCode);
    }

    [Fact]
    public async Task An_otp_request_still_refused_after_resetStep_ends_with_OtpFailed()
    {
        string vin = TestVins.New();
        await _host.Simulator.QueueErrorsAsync(vin, OtpApi, [2317, 2317]);
        string id = await _host.StartCommandAsync(vin, RemoteApi, VehicleWorkflowHost.Lock);
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);

        await _host.SubmitPinAsync(id, VehicleWorkflowHost.DefaultPin);
        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.OtpFailed, result.Outcome);
        Assert.Equal("FAILED", result.Status);
        Assert.Equal(2317, result.Error!.Code);
        Assert.True(result.ResetStepUsed);
        Assert.Equal(1, result.PinAttemptsUsed);

        // One resetStep repeat (the host's ResetStepRetries), then no further call of the API.
        Assert.Equal(["call-1", "otp-1", "otp-1-reset-1"], IdempotencyKeyShape.Steps(id, await _host.Simulator.GetRequestsAsync(vin)).Steps);
        Assert.Empty(await _host.Simulator.GetOtpsAsync(vin));
    }

    [Fact]
    public async Task A_wrong_pin_uses_one_attempt_and_the_right_one_then_succeeds()
    {
        string vin = TestVins.New();
        await _host.Simulator.SetPinAsync(vin, "4321");
        string id = await _host.StartCommandAsync(vin, RemoteApi, VehicleWorkflowHost.Lock);
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);

        await _host.SubmitPinAsync(id, "9999");
        VehicleCommandStatus again = await _host.WaitForPinRequestAsync(id, attemptsLeft: 2);
        Assert.True(again.LastPinRejected);

        await _host.SubmitPinAsync(id, "4321");
        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.Succeeded, result.Outcome);
        Assert.Equal(2, result.PinAttemptsUsed);
        IReadOnlyList<RequestLogEntry> requests = await _host.Simulator.GetRequestsAsync(vin);
        Assert.Equal(["call-1", "otp-1", "otp-2", "call-2"], IdempotencyKeyShape.Steps(id, requests).Steps);
        Assert.Equal(2308, requests[1].ErrorCode);
    }

    [Fact]
    public async Task Three_wrong_pins_end_with_PinAttemptsExhausted()
    {
        string vin = TestVins.New();
        string id = await _host.StartCommandAsync(vin, RemoteApi, VehicleWorkflowHost.Lock);

        for (int attemptsLeft = 3; attemptsLeft > 0; attemptsLeft--)
        {
            await _host.WaitForPinRequestAsync(id, attemptsLeft);
            await _host.SubmitPinAsync(id, "0000");
        }

        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.PinAttemptsExhausted, result.Outcome);
        Assert.Equal("FAILED", result.Status);
        Assert.Equal(2308, result.Error!.Code);
        Assert.Equal(3, result.PinAttemptsUsed);
        Assert.Empty(await _host.Simulator.GetOtpsAsync(vin));
        Assert.Equal(["call-1", "otp-1", "otp-2", "otp-3"], IdempotencyKeyShape.Steps(id, await _host.Simulator.GetRequestsAsync(vin)).Steps);
    }

    [Fact]
    public async Task A_second_2302_after_the_otp_gets_one_more_otp_round_with_the_same_pin()
    {
        string vin = TestVins.New();

        // The first call and the first retry both answer 2302 (queued codes come before the OTP check).
        await _host.Simulator.QueueErrorsAsync(vin, RemoteApi, [2302, 2302]);
        string id = await _host.StartCommandAsync(vin, RemoteApi, VehicleWorkflowHost.Lock);
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);

        await _host.SubmitPinAsync(id, VehicleWorkflowHost.DefaultPin);
        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.Succeeded, result.Outcome);
        Assert.Equal(2, result.PinAttemptsUsed);
        Assert.Equal(
            ["call-1", "otp-1", "call-2", "otp-2", "call-3"],
            IdempotencyKeyShape.Steps(id, await _host.Simulator.GetRequestsAsync(vin)).Steps);

        // The user was asked once: one PIN wait.
        Assert.Single(_host.LogLines(id, "awaiting a PIN"));
    }

    [Fact]
    public async Task An_otp_refused_again_after_the_extra_round_ends_with_VehicleError_2302()
    {
        string vin = TestVins.New();

        // The first call, the call with the first OTP and the call with the second OTP all answer 2302.
        await _host.Simulator.QueueErrorsAsync(vin, RemoteApi, [2302, 2302, 2302]);
        string id = await _host.StartCommandAsync(vin, RemoteApi, VehicleWorkflowHost.Lock);
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);

        await _host.SubmitPinAsync(id, VehicleWorkflowHost.DefaultPin);
        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.VehicleError, result.Outcome);
        Assert.Equal("FAILED", result.Status);
        Assert.Equal(2302, result.Error!.Code);
        Assert.False(string.IsNullOrEmpty(result.TransactionId));
        Assert.Equal(2, result.PinAttemptsUsed);

        // Exactly one extra OTP round, with the PIN already given: the user was not asked again.
        IReadOnlyList<RequestLogEntry> requests = await _host.Simulator.GetRequestsAsync(vin);
        Assert.Equal(["call-1", "otp-1", "call-2", "otp-2", "call-3"], IdempotencyKeyShape.Steps(id, requests).Steps);
        Assert.All(requests.Where(r => r.Api == OtpApi), r => Assert.Null(r.ErrorCode));
        Assert.Equal(2, (await _host.Simulator.GetOtpsAsync(vin)).Count);
        Assert.Single(_host.LogLines(id, "awaiting a PIN"));
    }

    [Fact]
    public async Task A_second_2302_with_no_pin_attempt_left_ends_with_VehicleError_without_an_extra_round()
    {
        string vin = TestVins.New();
        await _host.Simulator.QueueErrorsAsync(vin, RemoteApi, [2302, 2302]);
        string id = await _host.StartCommandAsync(vin, RemoteApi, VehicleWorkflowHost.Lock, settings: _host.Settings with { MaxPinAttempts = 1 });
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 1);

        await _host.SubmitPinAsync(id, VehicleWorkflowHost.DefaultPin);
        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.VehicleError, result.Outcome);
        Assert.Equal(2302, result.Error!.Code);
        Assert.Equal(1, result.PinAttemptsUsed);
        Assert.Equal(["call-1", "otp-1", "call-2"], IdempotencyKeyShape.Steps(id, await _host.Simulator.GetRequestsAsync(vin)).Steps);
    }

    [Fact]
    public async Task A_call_repeated_with_the_otp_that_fails_otherwise_ends_with_that_VehicleError()
    {
        string vin = TestVins.New();
        await _host.Simulator.QueueErrorsAsync(vin, RemoteApi, [2302, 2400]);
        string id = await _host.StartCommandAsync(vin, RemoteApi, VehicleWorkflowHost.Lock);
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);

        await _host.SubmitPinAsync(id, VehicleWorkflowHost.DefaultPin);
        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.VehicleError, result.Outcome);
        Assert.Equal(2400, result.Error!.Code);
        Assert.False(string.IsNullOrEmpty(result.TransactionId));
        Assert.Equal(1, result.PinAttemptsUsed);
        Assert.Equal(["call-1", "otp-1", "call-2"], IdempotencyKeyShape.Steps(id, await _host.Simulator.GetRequestsAsync(vin)).Steps);
    }

    [Fact]
    public async Task A_second_pin_for_a_round_that_already_has_one_is_ignored_and_uses_no_attempt()
    {
        string vin = TestVins.New();
        await _host.Simulator.SetPinAsync(vin, "4321");
        string id = await _host.StartCommandAsync(vin, RemoteApi, VehicleWorkflowHost.Lock);
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);

        // A double submit for round 1: the wrong PIN is taken, the right one (still for round 1) arrives late.
        await _host.SubmitPinAsync(id, "9999", round: 1);
        await _host.SubmitPinAsync(id, "4321", round: 1);
        VehicleCommandStatus second = await _host.WaitForPinRequestAsync(id, attemptsLeft: 2);
        Assert.Equal(2, second.PinRound);
        Assert.True(second.LastPinRejected);

        await _host.SubmitPinAsync(id, "4321");
        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.Succeeded, result.Outcome);
        Assert.Equal(2, result.PinAttemptsUsed);
        Assert.Equal(["call-1", "otp-1", "otp-2", "call-2"], IdempotencyKeyShape.Steps(id, await _host.Simulator.GetRequestsAsync(vin)).Steps);
        Assert.NotEmpty(_host.LogLines(id, "not the PIN of round 2"));
    }

    [Fact]
    public async Task A_pin_event_the_pin_endpoint_did_not_seal_is_ignored_uses_no_attempt_and_sends_nothing()
    {
        string vin = TestVins.New();
        string id = await _host.StartCommandAsync(vin, RemoteApi, VehicleWorkflowHost.Lock);
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);

        // Not sealed at all; sealed, but for another command; and an event with no payload.
        await _host.Client.RaiseEventAsync(id, VehicleCommandNames.PinEvent, new PinSubmission("1234", 1));
        await _host.Client.RaiseEventAsync(id, VehicleCommandNames.PinEvent, new PinSubmission(await _host.SealPinAsync("another-command", 1, VehicleWorkflowHost.DefaultPin), 1));
        await _host.Client.RaiseEventAsync(id, VehicleCommandNames.PinEvent);
        await Eventually.TrueAsync(
            () => Task.FromResult(_host.LogLines(id, "is not a PIN the product sealed").Count >= 2),
            "the OTP activity to refuse both forged PINs");

        VehicleCommandStatus status = await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);
        Assert.Equal(1, status.PinRound);
        Assert.DoesNotContain(await _host.Simulator.GetRequestsAsync(vin), r => r.Api == OtpApi);
        Assert.Empty(_host.PinAttempts.AttemptsOf(vin));

        // The round still takes the real PIN.
        await _host.SubmitPinAsync(id, VehicleWorkflowHost.DefaultPin);
        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);
        Assert.Equal(VehicleCommandOutcome.Succeeded, result.Outcome);
        Assert.Equal(1, result.PinAttemptsUsed);
    }

    private static void AssertRequest(RequestLogEntry request, string api, bool hasOtp, int? errorCode)
    {
        Assert.Equal(api, request.Api);
        Assert.Equal(hasOtp, request.HasOtp);
        Assert.False(request.Replayed);
        Assert.Equal(200, request.HttpStatus);
        Assert.Equal(errorCode, request.ErrorCode);
    }
}
