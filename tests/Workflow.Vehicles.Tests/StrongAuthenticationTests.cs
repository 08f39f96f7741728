using System.Text.Json;
using Workflow.Durable;
using Workflow.Testing;
using Workflow.VehicleSimulator.State;
using Workflow.Vehicles.Tests.Infrastructure;

namespace Workflow.Vehicles.Tests;

/// <summary>The orchestration's paths through strong authentication, on Azurite and the simulator over HTTP.</summary>
public sealed class StrongAuthenticationTests(DefaultWorkflowFixture fixture) : IClassFixture<DefaultWorkflowFixture>
{
    private const string RemoteApi = "pims.remote.door.lock";
    private const string OtpApi = "pims.authentication.otp";
    private readonly VehicleWorkflowHost _host = fixture.Host;

    [Fact]
    public async Task A_call_that_needs_no_strong_authentication_succeeds_at_once()
    {
        string vin = TestVins.New();
        string id = await _host.StartCommandAsync(vin, "pims.vehicle.status", new { fields = "all" });

        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.Succeeded, result.Outcome);
        Assert.Equal("SUCCEEDED", result.Status);
        Assert.Null(result.Error);
        Assert.False(string.IsNullOrEmpty(result.TransactionId));
        Assert.Equal("all", result.Result!.Value.GetProperty("parameters").GetProperty("fields").GetString());
        Assert.Equal(0, result.PinAttemptsUsed);
        Assert.False(result.ResetStepUsed);
        RequestLogEntry only = Assert.Single(await _host.Simulator.GetRequestsAsync(vin));
        Assert.Equal($"{id}:call-1", only.IdempotencyKey);
    }

    [Fact]
    public async Task A_vehicle_error_other_than_2302_is_passed_through()
    {
        string vin = TestVins.New();
        await _host.Simulator.QueueErrorsAsync(vin, "pims.vehicle.status", [2400]);
        string id = await _host.StartCommandAsync(vin, "pims.vehicle.status");

        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.VehicleError, result.Outcome);
        Assert.Equal("FAILED", result.Status);
        Assert.Equal(2400, result.Error!.Code);
        Assert.False(string.IsNullOrEmpty(result.Error.Label));
        Assert.Equal(0, result.PinAttemptsUsed);
    }

    [Fact]
    public async Task Need_strong_authentication_waits_for_a_pin_gets_an_otp_and_repeats_the_call()
    {
        string vin = TestVins.New();
        string id = await _host.StartCommandAsync(vin, RemoteApi, new { doors = "all" });

        VehicleCommandStatus awaiting = await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);
        Assert.False(awaiting.LastPinRejected);

        // The deadline published is the one the durable timer actually fires at.
        OrchestrationMetadata waiting = (await _host.Client.GetInstanceAsync(id, getInputsAndOutputs: false, getHistory: true))!;
        OrchestrationHistoryEvent timer = Assert.Single(waiting.History!, e => e.EventType == "TimerCreated");
        Assert.Equal(timer.FireAt!.Value.UtcDateTime, awaiting.PinDeadline!.Value.ToUniversalTime());

        await _host.SubmitPinAsync(id, VehicleWorkflowHost.DefaultPin);
        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.Succeeded, result.Outcome);
        Assert.Equal("executed", result.Result!.Value.GetProperty("action").GetString());
        Assert.Equal(1, result.PinAttemptsUsed);
        Assert.False(result.ResetStepUsed);

        IReadOnlyList<RequestLogEntry> requests = await _host.Simulator.GetRequestsAsync(vin);
        Assert.Collection(
            requests,
            r => AssertRequest(r, RemoteApi, $"{id}:call-1", hasOtp: false, errorCode: 2302),
            r => AssertRequest(r, OtpApi, $"{id}:otp-1", hasOtp: false, errorCode: null),
            r => AssertRequest(r, RemoteApi, $"{id}:call-2", hasOtp: true, errorCode: null));
        Assert.True(Assert.Single(await _host.Simulator.GetOtpsAsync(vin)).Used);
    }

    [Theory]
    [InlineData(2317)]
    [InlineData(2312)]
    public async Task An_otp_request_refused_with_a_stale_step_is_repeated_with_resetStep(int code)
    {
        string vin = TestVins.New();
        await _host.Simulator.QueueErrorsAsync(vin, OtpApi, [code]);
        string id = await _host.StartCommandAsync(vin, RemoteApi);
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);

        await _host.SubmitPinAsync(id, VehicleWorkflowHost.DefaultPin);
        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.Succeeded, result.Outcome);
        Assert.True(result.ResetStepUsed);
        Assert.Equal(1, result.PinAttemptsUsed);
        Assert.Equal(
            [$"{id}:call-1", $"{id}:otp-1", $"{id}:otp-1-reset-1", $"{id}:call-2"],
            (await _host.Simulator.GetRequestsAsync(vin)).Select(r => r.IdempotencyKey));
    }

    [Fact]
    public async Task An_otp_request_still_refused_after_resetStep_ends_with_OtpFailed()
    {
        string vin = TestVins.New();
        await _host.Simulator.QueueErrorsAsync(vin, OtpApi, [2317, 2317]);
        string id = await _host.StartCommandAsync(vin, RemoteApi);
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);

        await _host.SubmitPinAsync(id, VehicleWorkflowHost.DefaultPin);
        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.OtpFailed, result.Outcome);
        Assert.Equal("FAILED", result.Status);
        Assert.Equal(2317, result.Error!.Code);
        Assert.True(result.ResetStepUsed);
        Assert.Equal(1, result.PinAttemptsUsed);
    }

    [Fact]
    public async Task A_wrong_pin_uses_one_attempt_and_the_right_one_then_succeeds()
    {
        string vin = TestVins.New();
        await _host.Simulator.SetPinAsync(vin, "4321");
        string id = await _host.StartCommandAsync(vin, RemoteApi);
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);

        await _host.SubmitPinAsync(id, "9999");
        VehicleCommandStatus again = await _host.WaitForPinRequestAsync(id, attemptsLeft: 2);
        Assert.True(again.LastPinRejected);

        await _host.SubmitPinAsync(id, "4321");
        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.Succeeded, result.Outcome);
        Assert.Equal(2, result.PinAttemptsUsed);
        Assert.Equal(
            [$"{id}:call-1", $"{id}:otp-1", $"{id}:otp-2", $"{id}:call-2"],
            (await _host.Simulator.GetRequestsAsync(vin)).Select(r => r.IdempotencyKey));
    }

    [Fact]
    public async Task Three_wrong_pins_end_with_PinAttemptsExhausted()
    {
        string vin = TestVins.New();
        string id = await _host.StartCommandAsync(vin, RemoteApi);

        for (int attemptsLeft = 3; attemptsLeft > 0; attemptsLeft--)
        {
            await _host.WaitForPinRequestAsync(id, attemptsLeft);
            await _host.SubmitPinAsync(id, "0000");
        }

        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.PinAttemptsExhausted, result.Outcome);
        Assert.Equal("FAILED", result.Status);
        Assert.Equal(2319, result.Error!.Code);
        Assert.Equal(3, result.PinAttemptsUsed);
        Assert.Empty(await _host.Simulator.GetOtpsAsync(vin));
    }

    [Fact]
    public async Task A_second_2302_after_the_otp_gets_one_more_otp_round_with_the_same_pin()
    {
        string vin = TestVins.New();

        // The first call and the first retry both answer 2302 (queued codes come before the OTP check).
        await _host.Simulator.QueueErrorsAsync(vin, RemoteApi, [2302, 2302]);
        string id = await _host.StartCommandAsync(vin, RemoteApi);
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);

        await _host.SubmitPinAsync(id, VehicleWorkflowHost.DefaultPin);
        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.Succeeded, result.Outcome);
        Assert.Equal(2, result.PinAttemptsUsed);
        Assert.Equal(
            [$"{id}:call-1", $"{id}:otp-1", $"{id}:call-2", $"{id}:otp-2", $"{id}:call-3"],
            (await _host.Simulator.GetRequestsAsync(vin)).Select(r => r.IdempotencyKey));
    }

    [Fact]
    public async Task A_pin_that_was_not_sealed_by_the_app_counts_as_a_rejected_pin()
    {
        string vin = TestVins.New();
        string id = await _host.StartCommandAsync(vin, RemoteApi);
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);

        await _host.Client.RaiseEventAsync(id, VehicleCommandNames.PinEvent, new PinSubmission("not-a-sealed-pin"));
        VehicleCommandStatus again = await _host.WaitForPinRequestAsync(id, attemptsLeft: 2);

        Assert.True(again.LastPinRejected);

        // An event with no payload at all is no PIN either, and is not mistaken for a timeout.
        await _host.Client.RaiseEventAsync(id, VehicleCommandNames.PinEvent);
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 1);

        Assert.DoesNotContain(await _host.Simulator.GetRequestsAsync(vin), r => r.Api == OtpApi);
        await _host.Client.TerminateInstanceAsync(id, "test over");
    }

    [Fact]
    public async Task An_invalid_command_fails_with_a_clear_message()
    {
        string id = await _host.StartCommandAsync("too-short", RemoteApi);

        using var timeout = new CancellationTokenSource(Eventually.DefaultTimeout);
        OrchestrationMetadata metadata = await _host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, metadata.RuntimeStatus);
        Assert.Contains("vin must be 17 letters or digits", metadata.FailureDetails!.ErrorMessage, StringComparison.Ordinal);
    }

    private static void AssertRequest(RequestLogEntry request, string api, string key, bool hasOtp, int? errorCode)
    {
        Assert.Equal(api, request.Api);
        Assert.Equal(key, request.IdempotencyKey);
        Assert.Equal(hasOtp, request.HasOtp);
        Assert.False(request.Replayed);
        Assert.Equal(200, request.HttpStatus);
        Assert.Equal(errorCode, request.ErrorCode);
    }
}
