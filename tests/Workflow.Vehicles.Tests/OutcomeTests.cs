using Workflow.VehicleSimulator.State;
using Workflow.Vehicles.Orchestration;
using Workflow.Vehicles.Tests.Infrastructure;

namespace Workflow.Vehicles.Tests;

/// <summary>
/// The rows of the outcome table that the SDK's codes lead to (AccountBlocked, EnrollmentRequired, VehicleUnavailable
/// for transient codes, VehicleBusy, codes passed through), on the in-memory Durable Task engine and the simulator over HTTP.
/// </summary>
public sealed class OutcomeTests(DefaultWorkflowFixture fixture) : IClassFixture<DefaultWorkflowFixture>
{
    private const string CommandApi = VehicleWorkflowHost.CommandApi;
    private const string OtpApi = VehicleWorkflowHost.OtpApi;
    private readonly VehicleWorkflowHost _host = fixture.Host;

    [Fact]
    public async Task A_blocked_account_ends_with_AccountBlocked_at_once_without_asking_for_another_pin()
    {
        string vin = TestVins.New();
        await _host.Simulator.SetVehicleStateAsync(vin, new VehicleStateUpdate { AccountBlocked = true });
        string id = await _host.StartCommandAsync(vin, CommandApi, VehicleWorkflowHost.Lock);
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);

        await _host.SubmitPinAsync(id, VehicleWorkflowHost.DefaultPin);
        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.AccountBlocked, result.Outcome);
        Assert.Equal(("FAILED", 2310, "inwebo: account is blocked"), (result.Status, result.Error!.Code, result.Error.Label));
        Assert.False(string.IsNullOrEmpty(result.TransactionId));
        Assert.Equal(1, result.PinAttemptsUsed);
        Assert.Equal(["call-1", "otp-1"], IdempotencyKeyShape.Steps(id, await _host.Simulator.GetRequestsAsync(vin)).Steps);
        Assert.Single(_host.LogLines(id, "awaiting a PIN"));

        // 2310 says nothing about this PIN: no wrong attempt is counted against the vehicle.
        Assert.Empty(_host.PinAttempts.AttemptsOf(vin));
    }

    [Fact]
    public async Task A_wrong_pin_that_gets_the_account_blocked_uses_an_attempt_and_the_next_pin_ends_with_AccountBlocked()
    {
        string vin = TestVins.New();
        await _host.Simulator.SetVehicleStateAsync(vin, new VehicleStateUpdate { WrongPinsBeforeBlock = 1 });
        string id = await _host.StartCommandAsync(vin, CommandApi, VehicleWorkflowHost.Lock);
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);

        await _host.SubmitPinAsync(id, "0000");
        VehicleCommandStatus again = await _host.WaitForPinRequestAsync(id, attemptsLeft: 2);
        Assert.True(again.LastPinRejected);
        await _host.SubmitPinAsync(id, VehicleWorkflowHost.DefaultPin);
        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.AccountBlocked, result.Outcome);
        Assert.Equal(2310, result.Error!.Code);
        Assert.Equal(2, result.PinAttemptsUsed);
        IReadOnlyList<RequestLogEntry> requests = await _host.Simulator.GetRequestsAsync(vin);
        Assert.Equal(["call-1", "otp-1", "otp-2"], IdempotencyKeyShape.Steps(id, requests).Steps);
        Assert.Equal([2302, 2308, 2310], requests.Select(r => r.ErrorCode));

        // The wrong PIN (2308) counts against the vehicle; the 2310 does not.
        Assert.True(Assert.Single(_host.PinAttempts.AttemptsOf(vin)).Rejected);
    }

    [Fact]
    public async Task A_user_not_enrolled_ends_with_EnrollmentRequired()
    {
        string vin = TestVins.New();
        await _host.Simulator.SetVehicleStateAsync(vin, new VehicleStateUpdate { Enrolled = false });
        string id = await _host.StartCommandAsync(vin, CommandApi, VehicleWorkflowHost.Lock);
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);

        await _host.SubmitPinAsync(id, VehicleWorkflowHost.DefaultPin);
        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.EnrollmentRequired, result.Outcome);
        Assert.Equal(2313, result.Error!.Code);
        Assert.StartsWith("inwebo: User must activate inWebo", result.Error.Label, StringComparison.Ordinal);
        Assert.Equal(["call-1", "otp-1"], IdempotencyKeyShape.Steps(id, await _host.Simulator.GetRequestsAsync(vin)).Steps);
        Assert.Empty(_host.PinAttempts.AttemptsOf(vin));
    }

    [Theory]
    [InlineData(2201)]
    [InlineData(2202)]
    [InlineData(2204)]
    [InlineData(2377)]
    public async Task A_transient_code_is_retried_durably_with_the_same_key_and_then_succeeds(int code)
    {
        string vin = TestVins.New();
        await _host.Simulator.QueueErrorsAsync(vin, VehicleWorkflowHost.InformationsApi, [code]);
        string id = await _host.StartCommandAsync(vin, VehicleWorkflowHost.InformationsApi, VehicleWorkflowHost.Read);

        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.Succeeded, result.Outcome);
        IReadOnlyList<RequestLogEntry> requests = await _host.Simulator.GetRequestsAsync(vin);
        Assert.Equal([code, null], requests.Select(r => r.ErrorCode));
        Assert.Equal(["call-1", "call-1"], IdempotencyKeyShape.Steps(id, requests).Steps);
        Assert.All(requests, r => Assert.False(r.Replayed));
    }

    [Fact]
    public async Task A_transient_code_past_every_retry_ends_with_VehicleUnavailable()
    {
        string vin = TestVins.New();
        await _host.Simulator.QueueErrorsAsync(vin, CommandApi, [2204, 2204, 2204]);
        string id = await _host.StartCommandAsync(vin, CommandApi, VehicleWorkflowHost.Lock);

        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.VehicleUnavailable, result.Outcome);
        Assert.Equal(503, result.Error!.Code);
        Assert.StartsWith("The vehicle API stayed unavailable after 3 attempts", result.Error.Label, StringComparison.Ordinal);
        Assert.Contains("2204 \"Server Error\"", result.Error.Label, StringComparison.Ordinal);
        IReadOnlyList<RequestLogEntry> requests = await _host.Simulator.GetRequestsAsync(vin);
        Assert.Equal([2204, 2204, 2204], requests.Select(r => r.ErrorCode));
        Assert.All(IdempotencyKeyShape.Steps(id, requests).Steps, s => Assert.Equal("call-1", s));
        Assert.Single(_host.LogLines(id, "CallVehicleApi kept failing transiently; giving up"));
    }

    [Fact]
    public async Task A_transient_otp_code_2314_is_retried_and_counts_as_one_pin_attempt()
    {
        string vin = TestVins.New();
        await _host.Simulator.QueueErrorsAsync(vin, OtpApi, [2314]);
        string id = await _host.StartCommandAsync(vin, CommandApi, VehicleWorkflowHost.Lock);
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);

        await _host.SubmitPinAsync(id, VehicleWorkflowHost.DefaultPin);
        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.Succeeded, result.Outcome);
        Assert.Equal(1, result.PinAttemptsUsed);
        IReadOnlyList<RequestLogEntry> requests = await _host.Simulator.GetRequestsAsync(vin);
        Assert.Equal(["call-1", "otp-1", "otp-1", "call-2"], IdempotencyKeyShape.Steps(id, requests).Steps);
        Assert.Equal(2314, requests[1].ErrorCode);
        Assert.Empty(_host.PinAttempts.AttemptsOf(vin));
    }

    [Fact]
    public async Task A_transient_otp_code_past_every_retry_ends_with_VehicleUnavailable_without_asking_for_another_pin()
    {
        string vin = TestVins.New();
        await _host.Simulator.QueueErrorsAsync(vin, OtpApi, [2314, 2314, 2314]);
        string id = await _host.StartCommandAsync(vin, CommandApi, VehicleWorkflowHost.Lock);
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);

        await _host.SubmitPinAsync(id, VehicleWorkflowHost.DefaultPin);
        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.VehicleUnavailable, result.Outcome);
        Assert.Equal(503, result.Error!.Code);
        Assert.Contains("2314", result.Error.Label, StringComparison.Ordinal);
        Assert.Single(_host.LogLines(id, "awaiting a PIN"));
        Assert.Empty(_host.PinAttempts.AttemptsOf(vin));
    }

    [Theory]
    [InlineData(2353)]
    [InlineData(2364)]
    public async Task A_busy_vehicle_is_asked_again_after_the_delay_under_a_key_of_its_own_and_then_succeeds(int code)
    {
        string vin = TestVins.New();
        await _host.Simulator.QueueErrorsAsync(vin, VehicleWorkflowHost.InformationsApi, [code]);
        VehicleCommandSettings settings = _host.Settings with { BusyRetryAttempts = 2, BusyRetryDelay = TimeSpan.FromMilliseconds(200) };
        string id = await _host.StartCommandAsync(vin, VehicleWorkflowHost.InformationsApi, VehicleWorkflowHost.Read, settings: settings);

        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.Succeeded, result.Outcome);
        IReadOnlyList<RequestLogEntry> requests = await _host.Simulator.GetRequestsAsync(vin);
        Assert.Equal([code, null], requests.Select(r => r.ErrorCode));
        Assert.Equal(["call-1", "call-1-busy-1"], IdempotencyKeyShape.Steps(id, requests).Steps);
        Assert.Single(_host.LogLines(id, "the vehicle is busy"));
    }

    [Fact]
    public async Task A_vehicle_still_busy_after_every_busy_retry_ends_with_VehicleBusy()
    {
        string vin = TestVins.New();
        await _host.Simulator.SetVehicleStateAsync(vin, new VehicleStateUpdate { RunningAction = "doors" });
        VehicleCommandSettings settings = _host.Settings with { BusyRetryAttempts = 2, BusyRetryDelay = TimeSpan.FromMilliseconds(100) };
        string id = await _host.StartCommandAsync(vin, CommandApi, VehicleWorkflowHost.Lock, settings: settings);

        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.VehicleBusy, result.Outcome);
        Assert.Equal(("FAILED", 2364, "Command can't be execute because same command are ongoing"), (result.Status, result.Error!.Code, result.Error.Label));
        Assert.Equal(0, result.PinAttemptsUsed);
        Assert.Equal(["call-1", "call-1-busy-1", "call-1-busy-2"], IdempotencyKeyShape.Steps(id, await _host.Simulator.GetRequestsAsync(vin)).Steps);
    }

    [Fact]
    public async Task A_busy_answer_to_the_call_with_the_otp_is_repeated_with_the_same_otp()
    {
        string vin = TestVins.New();
        await _host.Simulator.QueueErrorsAsync(vin, CommandApi, [2302, 2353]);
        VehicleCommandSettings settings = _host.Settings with { BusyRetryDelay = TimeSpan.FromMilliseconds(100) };
        string id = await _host.StartCommandAsync(vin, CommandApi, VehicleWorkflowHost.Lock, settings: settings);
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);

        await _host.SubmitPinAsync(id, VehicleWorkflowHost.DefaultPin);
        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.Succeeded, result.Outcome);
        Assert.Equal(1, result.PinAttemptsUsed);
        Assert.Equal(["call-1", "otp-1", "call-2", "call-2-busy-1"], IdempotencyKeyShape.Steps(id, await _host.Simulator.GetRequestsAsync(vin)).Steps);
        Assert.True(Assert.Single(await _host.Simulator.GetOtpsAsync(vin)).Used);
    }

    [Fact]
    public async Task A_busy_answer_with_no_busy_retry_allowed_ends_with_VehicleBusy_at_once()
    {
        string vin = TestVins.New();
        await _host.Simulator.QueueErrorsAsync(vin, VehicleWorkflowHost.InformationsApi, [2353]);
        string id = await _host.StartCommandAsync(vin, VehicleWorkflowHost.InformationsApi, VehicleWorkflowHost.Read, settings: _host.Settings with { BusyRetryAttempts = 0 });

        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.VehicleBusy, result.Outcome);
        Assert.Equal(2353, result.Error!.Code);
        Assert.Single(await _host.Simulator.GetRequestsAsync(vin));
    }

    [Fact]
    public async Task A_refusal_by_the_vehicle_state_is_a_VehicleError_with_the_sdks_code_and_label()
    {
        string vin = TestVins.New();
        await _host.Simulator.SetVehicleStateAsync(vin, new VehicleStateUpdate { Doors = "locked" });
        string id = await _host.StartCommandAsync(vin, CommandApi, VehicleWorkflowHost.Lock);
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);

        await _host.SubmitPinAsync(id, VehicleWorkflowHost.DefaultPin);
        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.VehicleError, result.Outcome);
        Assert.Equal((2361, "All vehicle's doors are locked"), (result.Error!.Code, result.Error.Label));
        Assert.False(string.IsNullOrEmpty(result.TransactionId));
        Assert.Equal(1, result.PinAttemptsUsed);
    }

    [Fact]
    public async Task An_otp_code_that_says_nothing_about_the_pin_is_a_VehicleError_and_no_other_pin_is_asked_for()
    {
        string vin = TestVins.New();
        await _host.Simulator.QueueErrorsAsync(vin, OtpApi, [2309]);
        string id = await _host.StartCommandAsync(vin, CommandApi, VehicleWorkflowHost.Lock);
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);

        await _host.SubmitPinAsync(id, VehicleWorkflowHost.DefaultPin);
        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.VehicleError, result.Outcome);
        Assert.Equal((2309, "inwebo: version error"), (result.Error!.Code, result.Error.Label));
        Assert.Single(_host.LogLines(id, "awaiting a PIN"));
        Assert.Empty(_host.PinAttempts.AttemptsOf(vin));
    }
}
