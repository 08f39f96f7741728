using System.Net;
using System.Text.Json;
using Workflow.LocalHost.Tests.Support;
using Workflow.Testing;
using Workflow.VehicleSimulator.State;

namespace Workflow.LocalHost.Tests;

/// <summary>
/// A local host whose retries are quick, so the rows that retry (transient codes, HTTP outages, a busy car) end within a
/// test's deadline: 3 durable runs 200 ms apart, 2 HTTP attempts per run, 2 busy repeats 200 ms apart. With the
/// defaults a lasting outage takes 5 + 10 + 20 + 40 s of durable timers and a busy car 3 × 30 s. A simulator of its own:
/// these tests expire its tokens and inject outages on every path.
/// </summary>
public sealed class OutcomeTableFixture : LocalHostFixture
{
    /// <summary><c>VehicleWorkflow:RetryMaxAttempts</c>: durable runs of an activity failing transiently.</summary>
    public const int RetryMaxAttempts = 3;

    /// <summary>HTTP attempts per activity run: the first and <c>VehicleApi:RetryCount</c> = 1 quick retry.</summary>
    public const int HttpAttemptsPerRun = 2;

    /// <summary><c>VehicleWorkflow:BusyRetryAttempts</c>: repeats of a call the car answered 2353/2364.</summary>
    public const int BusyRetryAttempts = 2;

    protected override IReadOnlyList<string> ExtraArguments =>
    [
        $"--VehicleWorkflow:RetryMaxAttempts={RetryMaxAttempts}",
        "--VehicleWorkflow:RetryFirstInterval=00:00:00.200",
        "--VehicleWorkflow:RetryBackoffCoefficient=1",
        "--VehicleWorkflow:RetryMaxInterval=00:00:00.200",
        $"--VehicleWorkflow:BusyRetryAttempts={BusyRetryAttempts}",
        "--VehicleWorkflow:BusyRetryDelay=00:00:00.200",
        $"--VehicleApi:RetryCount={HttpAttemptsPerRun - 1}",
        "--VehicleApi:RetryBaseDelay=00:00:00.010",
    ];
}

/// <summary>
/// The rows of the outcome table (<c>functions/Workflow.Vehicles/README.md#outcomes</c>) end to end: over HTTP on the
/// in-process local host, the Durable engine on Azurite, the simulator over HTTP. Each test asserts the outcome in the
/// command's status output and what the simulator saw (its request log: APIs, codes, idempotency keys, OTPs).
/// (Plain success, 2302 → PIN → OTP, a wrong PIN then the right one, 2317/2312 with resetStep, PinTimeout and the
/// lockout 429s are in <see cref="CommandFlowTests"/>, <see cref="PinTimingTests"/> and the PIN intake tests.)
/// The tests of this class run one after another on their own simulator: expiring its tokens or injecting an outage
/// on every path touches no other test.
/// </summary>
public sealed class OutcomeTableTests(OutcomeTableFixture fixture) : IClassFixture<OutcomeTableFixture>
{
    private const string CommandApi = TestCommands.StrongAuthApi;
    private const string InformationsApi = TestCommands.PlainApi;
    private const string Lock = TestCommands.StrongAuthParameters;
    private const string Unlock = TestCommands.OtherStrongAuthParameters;
    private const string Horn = """{"action":"horn"}""";

    private CommandsClient Api => fixture.Api;

    // ---- 2301 Need Basic Authentication ----

    [Fact]
    public async Task Row_2301_an_expired_gateway_token_is_renewed_and_the_call_repeated_once_under_the_same_key_invisibly()
    {
        // The host holds a token (a command went through), then the gateway expires every token it issued.
        StartedCommand warm = await Api.StartAsync(TestCommands.Plain(TestVins.New()));
        Assert.Equal("Succeeded", (await Api.WaitForFinishedAsync(warm.StatusQueryGetUri)).Outcome);
        await fixture.Simulator.ExpireTokensAsync();
        string vin = TestVins.New();

        StartedCommand started = await Api.StartAsync(TestCommands.Plain(vin));
        CommandStatus finished = await Api.WaitForFinishedAsync(started.StatusQueryGetUri);

        Assert.Equal("Succeeded", finished.Outcome);
        Assert.Equal("SUCCEEDED", finished.Output.GetProperty("status").GetString());
        Assert.False(finished.Output.TryGetProperty("error", out JsonElement error) && error.ValueKind != JsonValueKind.Null, $"The 2301 showed: {finished.Output}");
        IReadOnlyList<RequestLogEntry> log = await fixture.Simulator.GetRequestsAsync(vin);
        Assert.Collection(
            log,
            expired => Assert.Equal(("FAILED", (int?)2301), (expired.Status, expired.ErrorCode)),
            repeated => Assert.Equal(("SUCCEEDED", (int?)null), (repeated.Status, repeated.ErrorCode)));
        Assert.Equal(["call-1", "call-1"], Steps(started.Id, log));
        Assert.All(log, e => Assert.False(e.Replayed));
    }

    [Fact]
    public async Task Row_2301_that_persists_after_the_renewed_token_falls_to_the_last_row_VehicleError_2301()
    {
        string vin = TestVins.New();
        await fixture.Simulator.QueueErrorsAsync(vin, InformationsApi, [2301, 2301]);

        StartedCommand started = await Api.StartAsync(TestCommands.Plain(vin));
        CommandStatus finished = await Api.WaitForFinishedAsync(started.StatusQueryGetUri);

        Assert.Equal("VehicleError", finished.Outcome);
        AssertError(finished, 2301, "Need Basic Authentication (to get CVS token)");
        IReadOnlyList<RequestLogEntry> log = await fixture.Simulator.GetRequestsAsync(vin);
        Assert.Equal([2301, 2301], log.Select(e => e.ErrorCode));
        Assert.Equal(["call-1", "call-1"], Steps(started.Id, log));
    }

    [Fact]
    public async Task Row_2301_an_http_401_is_treated_alike_the_token_renewed_and_the_call_repeated_once_under_the_same_key()
    {
        string vin = TestVins.New();
        await fixture.Simulator.InjectFaultsAsync(401, count: 1);

        StartedCommand started = await Api.StartAsync(TestCommands.Plain(vin));
        CommandStatus finished = await Api.WaitForFinishedAsync(started.StatusQueryGetUri);

        Assert.Equal("Succeeded", finished.Outcome);
        IReadOnlyList<RequestLogEntry> log = await fixture.Simulator.GetRequestsAsync(vin);
        Assert.Equal([401, 200], log.Select(e => e.HttpStatus));
        Assert.Equal(["call-1", "call-1"], Steps(started.Id, log));
        Assert.Single(RequestLog.Executed(log));
    }

    // ---- 2302 again after the OTP ----

    [Fact]
    public async Task Row_2302_a_second_2302_after_the_otp_gets_one_more_otp_with_the_same_pin_and_the_command_succeeds()
    {
        // Queued codes come first: the first call and the call with the first OTP answer 2302 (that OTP stays unused).
        string vin = TestVins.New();
        await fixture.Simulator.QueueErrorsAsync(vin, CommandApi, [2302, 2302]);
        StartedCommand started = await Api.StartAsync(TestCommands.StrongAuth(vin));
        await Api.WaitForStageAsync(started.StatusQueryGetUri, "AwaitingPin");

        Uri next = await Api.DeliverPinAsync(started.PinPostUri, LocalHostFixture.DefaultPin);
        CommandStatus finished = await Api.WaitForFinishedAsync(started.StatusQueryGetUri);

        Assert.Equal("Succeeded", finished.Outcome);
        Assert.Equal(2, finished.Output.GetProperty("pinAttemptsUsed").GetInt32());

        // The user was not asked again: the next round's link was never opened.
        using (HttpResponseMessage another = await Api.PostPinAsync(next, LocalHostFixture.DefaultPin))
        {
            await Problems.AssertAsync(another, HttpStatusCode.Conflict, "Command already finished");
        }

        IReadOnlyList<RequestLogEntry> log = await fixture.Simulator.GetRequestsAsync(vin);
        Assert.Equal([2302, null, 2302, null, null], log.Select(e => e.ErrorCode));
        Assert.Equal(["call-1", "otp-1", "call-2", "otp-2", "call-3"], Steps(started.Id, log));
        Assert.Equal([false, false, true, false, true], log.Select(e => e.HasOtp));
        Assert.Null(RequestLog.EachKeyExecutedOnce(log));
        Assert.Equal([false, true], (await fixture.Simulator.GetOtpsAsync(vin)).Select(o => o.Used));
    }

    [Fact]
    public async Task Row_2302_that_persists_after_the_extra_otp_round_falls_to_the_last_row_VehicleError_2302()
    {
        string vin = TestVins.New();
        await fixture.Simulator.QueueErrorsAsync(vin, CommandApi, [2302, 2302, 2302]);
        StartedCommand started = await Api.StartAsync(TestCommands.StrongAuth(vin));
        await Api.WaitForStageAsync(started.StatusQueryGetUri, "AwaitingPin");

        await Api.DeliverPinAsync(started.PinPostUri, LocalHostFixture.DefaultPin);
        CommandStatus finished = await Api.WaitForFinishedAsync(started.StatusQueryGetUri);

        Assert.Equal("VehicleError", finished.Outcome);
        AssertError(finished, 2302, "Need Strong Authentication");
        Assert.Equal(2, finished.Output.GetProperty("pinAttemptsUsed").GetInt32());
        IReadOnlyList<RequestLogEntry> log = await fixture.Simulator.GetRequestsAsync(vin);
        Assert.Equal(["call-1", "otp-1", "call-2", "otp-2", "call-3"], Steps(started.Id, log));
        Assert.Equal([2302, null, 2302, null, 2302], log.Select(e => e.ErrorCode));
        Assert.Null(RequestLog.EachKeyExecutedOnce(log));
    }

    // ---- OTP answers: 2310, 2313, 2308 × MaxPinAttempts, 2317/2312 persisting ----

    [Fact]
    public async Task Row_2310_a_blocked_account_ends_with_AccountBlocked_at_once_and_no_further_pin_is_asked_for_or_sent()
    {
        string vin = TestVins.New();
        await fixture.Simulator.SetVehicleStateAsync(vin, new VehicleStateUpdate { AccountBlocked = true });
        StartedCommand started = await Api.StartAsync(TestCommands.StrongAuth(vin));
        await Api.WaitForStageAsync(started.StatusQueryGetUri, "AwaitingPin");

        Uri next = await Api.DeliverPinAsync(started.PinPostUri, LocalHostFixture.DefaultPin);
        CommandStatus finished = await Api.WaitForFinishedAsync(started.StatusQueryGetUri);

        Assert.Equal("AccountBlocked", finished.Outcome);
        AssertError(finished, 2310, "inwebo: account is blocked");
        Assert.False(string.IsNullOrEmpty(finished.Output.GetProperty("transactionId").GetString()));
        Assert.Equal(1, finished.Output.GetProperty("pinAttemptsUsed").GetInt32());
        Assert.Equal(JsonValueKind.Null, finished.Body.GetProperty("customStatus").ValueKind);

        // No further PIN is asked for: the next round's link finds the command over, and nothing more is sent upstream.
        using (HttpResponseMessage another = await Api.PostPinAsync(next, LocalHostFixture.DefaultPin))
        {
            await Problems.AssertAsync(another, HttpStatusCode.Conflict, "Command already finished");
        }

        IReadOnlyList<RequestLogEntry> log = await fixture.Simulator.GetRequestsAsync(vin);
        Assert.Equal([(CommandApi, (int?)2302), (RequestLog.OtpApi, 2310)], log.Select(e => (e.Api, e.ErrorCode)));
        Assert.Equal(["call-1", "otp-1"], Steps(started.Id, log));
        Assert.Null(RequestLog.EachKeyExecutedOnce(log));
        Assert.Empty(await fixture.Simulator.GetOtpsAsync(vin));
    }

    [Fact]
    public async Task Row_2313_a_user_not_enrolled_ends_with_EnrollmentRequired_and_gets_no_otp()
    {
        string vin = TestVins.New();
        await fixture.Simulator.SetVehicleStateAsync(vin, new VehicleStateUpdate { Enrolled = false });
        StartedCommand started = await Api.StartAsync(TestCommands.StrongAuth(vin));
        await Api.WaitForStageAsync(started.StatusQueryGetUri, "AwaitingPin");

        await Api.DeliverPinAsync(started.PinPostUri, LocalHostFixture.DefaultPin);
        CommandStatus finished = await Api.WaitForFinishedAsync(started.StatusQueryGetUri);

        Assert.Equal("EnrollmentRequired", finished.Outcome);
        AssertError(finished, 2313, "inwebo: User must activate inWebo helium or inWebo Desktop Token before achieving this operation");
        IReadOnlyList<RequestLogEntry> log = await fixture.Simulator.GetRequestsAsync(vin);
        Assert.Equal([(CommandApi, (int?)2302), (RequestLog.OtpApi, 2313)], log.Select(e => (e.Api, e.ErrorCode)));
        Assert.Equal(["call-1", "otp-1"], Steps(started.Id, log));
        Assert.Null(RequestLog.EachKeyExecutedOnce(log));
        Assert.Empty(await fixture.Simulator.GetOtpsAsync(vin));
    }

    [Fact]
    public async Task Row_2308_a_wrong_pin_in_every_attempt_ends_with_PinAttemptsExhausted_and_the_call_is_never_repeated()
    {
        string vin = TestVins.New();
        await fixture.Simulator.SetPinAsync(vin, "4321");
        StartedCommand started = await Api.StartAsync(TestCommands.StrongAuth(vin));
        CommandStatus waiting = await Api.WaitForStageAsync(started.StatusQueryGetUri, "AwaitingPin");
        int attempts = waiting.CustomStatus.GetProperty("pinAttemptsLeft").GetInt32();
        Assert.Equal(3, attempts);

        // Each round's PIN goes to the link the previous PIN's answer gave, once the status shows that round.
        Uri link = started.PinPostUri;
        for (int round = 1; round <= attempts; round++)
        {
            CommandStatus open = await WaitForPinRoundAsync(started.StatusQueryGetUri, round);
            Assert.Equal(attempts - round + 1, open.CustomStatus.GetProperty("pinAttemptsLeft").GetInt32());
            link = await Api.DeliverPinAsync(link, "1111");
        }

        CommandStatus finished = await Api.WaitForFinishedAsync(started.StatusQueryGetUri);

        Assert.Equal("PinAttemptsExhausted", finished.Outcome);
        AssertError(finished, 2308, "inwebo: access refused");
        Assert.Equal(attempts, finished.Output.GetProperty("pinAttemptsUsed").GetInt32());
        using (HttpResponseMessage late = await Api.PostPinAsync(link, "4321"))
        {
            await Problems.AssertAsync(late, HttpStatusCode.Conflict, "Command already finished");
        }

        IReadOnlyList<RequestLogEntry> log = await fixture.Simulator.GetRequestsAsync(vin);
        Assert.Equal([2302, 2308, 2308, 2308], log.Select(e => e.ErrorCode));
        Assert.Equal(["call-1", "otp-1", "otp-2", "otp-3"], Steps(started.Id, log));
        Assert.DoesNotContain(log, e => e.HasOtp);
        Assert.Null(RequestLog.EachKeyExecutedOnce(log));
        Assert.Empty(await fixture.Simulator.GetOtpsAsync(vin));
    }

    [Theory]
    [InlineData(2317, "inwebo: forbidden operation (due to activated state/blocked state/upgradable state)")]
    [InlineData(2312, "inwebo: device is disabled or unknown")]
    public async Task Row_2317_2312_a_stale_step_that_persists_after_resetStep_ends_with_OtpFailed(int code, string label)
    {
        string vin = TestVins.New();

        // Queued codes come first: the repeat with resetStep (ResetStepRetries = 1) is refused too.
        await fixture.Simulator.QueueErrorsAsync(vin, RequestLog.OtpApi, [code, code]);
        StartedCommand started = await Api.StartAsync(TestCommands.StrongAuth(vin));
        await Api.WaitForStageAsync(started.StatusQueryGetUri, "AwaitingPin");

        await Api.DeliverPinAsync(started.PinPostUri, LocalHostFixture.DefaultPin);
        CommandStatus finished = await Api.WaitForFinishedAsync(started.StatusQueryGetUri);

        Assert.Equal("OtpFailed", finished.Outcome);
        AssertError(finished, code, label);
        Assert.True(finished.Output.GetProperty("resetStepUsed").GetBoolean());
        Assert.Equal(1, finished.Output.GetProperty("pinAttemptsUsed").GetInt32());
        IReadOnlyList<RequestLogEntry> log = await fixture.Simulator.GetRequestsAsync(vin);
        Assert.Equal([2302, code, code], log.Select(e => e.ErrorCode));
        Assert.Equal(["call-1", "otp-1", "otp-1-reset-1"], Steps(started.Id, log));
        Assert.Null(RequestLog.EachKeyExecutedOnce(log));
        Assert.Empty(await fixture.Simulator.GetOtpsAsync(vin));
    }

    // ---- Transient codes and HTTP outages ----

    [Theory]
    [InlineData(2201, "Timeout")]
    [InlineData(2202, "Network problem : No internet")]
    [InlineData(2204, "Server Error")]
    [InlineData(2377, "Broker connexion failed")]
    public async Task Row_transient_a_code_past_every_durable_retry_ends_with_VehicleUnavailable_503_naming_it(int code, string label)
    {
        string vin = TestVins.New();
        await fixture.Simulator.QueueErrorsAsync(vin, InformationsApi, Enumerable.Repeat(code, OutcomeTableFixture.RetryMaxAttempts).ToList());

        StartedCommand started = await Api.StartAsync(TestCommands.Plain(vin));
        CommandStatus finished = await Api.WaitForFinishedAsync(started.StatusQueryGetUri);

        Assert.Equal("VehicleUnavailable", finished.Outcome);
        JsonElement error = AssertUnavailable(finished);
        Assert.Contains($"{code} \"{label}\"", error.GetProperty("label").GetString(), StringComparison.Ordinal);

        // One logical call: every durable run sent its key, and the gateway processed each anew (nothing was done).
        IReadOnlyList<RequestLogEntry> log = await fixture.Simulator.GetRequestsAsync(vin);
        Assert.Equal(Enumerable.Repeat((int?)code, OutcomeTableFixture.RetryMaxAttempts), log.Select(e => e.ErrorCode));
        Assert.All(Steps(started.Id, log), step => Assert.Equal("call-1", step));
        Assert.All(log, e => Assert.False(e.Replayed));
    }

    [Fact]
    public async Task Row_transient_2314_on_the_otp_request_past_every_retry_ends_with_VehicleUnavailable_without_asking_for_another_pin()
    {
        string vin = TestVins.New();
        await fixture.Simulator.QueueErrorsAsync(vin, RequestLog.OtpApi, Enumerable.Repeat(2314, OutcomeTableFixture.RetryMaxAttempts).ToList());
        StartedCommand started = await Api.StartAsync(TestCommands.StrongAuth(vin));
        await Api.WaitForStageAsync(started.StatusQueryGetUri, "AwaitingPin");

        Uri next = await Api.DeliverPinAsync(started.PinPostUri, LocalHostFixture.DefaultPin);
        CommandStatus finished = await Api.WaitForFinishedAsync(started.StatusQueryGetUri);

        Assert.Equal("VehicleUnavailable", finished.Outcome);
        JsonElement error = AssertUnavailable(finished);
        Assert.Contains("2314 \"inwebo: No service is available\"", error.GetProperty("label").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, finished.Output.GetProperty("pinAttemptsUsed").GetInt32());
        using (HttpResponseMessage another = await Api.PostPinAsync(next, LocalHostFixture.DefaultPin))
        {
            await Problems.AssertAsync(another, HttpStatusCode.Conflict, "Command already finished");
        }

        IReadOnlyList<RequestLogEntry> log = await fixture.Simulator.GetRequestsAsync(vin);
        Assert.Equal([2302, .. Enumerable.Repeat(2314, OutcomeTableFixture.RetryMaxAttempts)], log.Select(e => e.ErrorCode ?? 0));
        Assert.Equal(["call-1", .. Enumerable.Repeat("otp-1", OutcomeTableFixture.RetryMaxAttempts)], Steps(started.Id, log));
        Assert.Empty(await fixture.Simulator.GetOtpsAsync(vin));
    }

    [Fact]
    public async Task Row_transient_a_code_that_clears_within_the_retries_is_invisible_and_the_command_succeeds()
    {
        string vin = TestVins.New();
        await fixture.Simulator.QueueErrorsAsync(vin, InformationsApi, [2204, 2377]);

        StartedCommand started = await Api.StartAsync(TestCommands.Plain(vin));
        CommandStatus finished = await Api.WaitForFinishedAsync(started.StatusQueryGetUri);

        Assert.Equal("Succeeded", finished.Outcome);
        Assert.Equal("SUCCEEDED", finished.Output.GetProperty("status").GetString());
        IReadOnlyList<RequestLogEntry> log = await fixture.Simulator.GetRequestsAsync(vin);
        Assert.Equal([2204, 2377, null], log.Select(e => e.ErrorCode));
        Assert.Equal(["call-1", "call-1", "call-1"], Steps(started.Id, log));
        Assert.All(log, e => Assert.False(e.Replayed));
    }

    [Fact]
    public async Task Row_transient_an_http_outage_past_every_retry_ends_with_VehicleUnavailable_503_and_no_transaction()
    {
        string vin = TestVins.New();

        // More 503s than the command can use up; cleared afterwards, since faults apply to every vehicle.
        await fixture.Simulator.InjectFaultsAsync(503, count: 1000);
        StartedCommand started;
        CommandStatus finished;
        try
        {
            started = await Api.StartAsync(TestCommands.Plain(vin));
            finished = await Api.WaitForFinishedAsync(started.StatusQueryGetUri);
        }
        finally
        {
            await fixture.Simulator.ClearFaultsAsync();
        }

        Assert.Equal("VehicleUnavailable", finished.Outcome);
        JsonElement error = AssertUnavailable(finished);
        Assert.Contains("HTTP 503", error.GetProperty("label").GetString(), StringComparison.Ordinal);

        // Every HTTP attempt of every durable run, all under the one key, none processed.
        IReadOnlyList<RequestLogEntry> log = await fixture.Simulator.GetRequestsAsync(vin);
        Assert.Equal(OutcomeTableFixture.RetryMaxAttempts * OutcomeTableFixture.HttpAttemptsPerRun, log.Count);
        Assert.All(log, e => Assert.Equal(503, e.HttpStatus));
        Assert.All(Steps(started.Id, log), step => Assert.Equal("call-1", step));
    }

    [Fact]
    public async Task Row_transient_an_http_outage_that_ends_within_the_retries_is_invisible_and_the_command_succeeds()
    {
        string vin = TestVins.New();

        // The first durable run's attempts all fail; the second run's first attempt too, its quick retry gets through.
        int faults = OutcomeTableFixture.HttpAttemptsPerRun + 1;
        await fixture.Simulator.InjectFaultsAsync(503, count: faults);

        StartedCommand started = await Api.StartAsync(TestCommands.Plain(vin));
        CommandStatus finished = await Api.WaitForFinishedAsync(started.StatusQueryGetUri);

        Assert.Equal("Succeeded", finished.Outcome);
        IReadOnlyList<RequestLogEntry> log = await fixture.Simulator.GetRequestsAsync(vin);
        Assert.Equal([.. Enumerable.Repeat(503, faults), 200], log.Select(e => e.HttpStatus));
        Assert.All(Steps(started.Id, log), step => Assert.Equal("call-1", step));
        Assert.Single(RequestLog.Executed(log));
        Assert.Empty(await fixture.Simulator.GetFaultsAsync());
    }

    // ---- 2353 / 2364: a command running on the car ----

    [Theory]
    [InlineData(Unlock, 2364, "Command can't be execute because same command are ongoing")]
    [InlineData(Horn, 2353, "Command can't be execute another command are ongoing")]
    public async Task Row_busy_a_car_still_running_a_command_after_every_busy_retry_ends_with_VehicleBusy(string parameters, int code, string label)
    {
        // The car runs each command it carries out for an hour (the simulator's command duration), so the second
        // command finds the first one's door lock still running: the same action (2364) or another one (2353).
        string vin = TestVins.New();
        await fixture.Simulator.SetVehicleStateAsync(vin, new VehicleStateUpdate
        {
            CommandDuration = TimeSpan.FromHours(1),
            StrongAuth = new Dictionary<string, bool> { [CommandApi] = false },
        });
        StartedCommand first = await Api.StartAsync(CommandsClient.Body(vin, CommandApi, null, Lock));
        Assert.Equal("Succeeded", (await Api.WaitForFinishedAsync(first.StatusQueryGetUri)).Outcome);
        Assert.Equal("doors", (await fixture.Simulator.GetVehicleStateAsync(vin)).RunningAction);

        StartedCommand started = await Api.StartAsync(CommandsClient.Body(vin, CommandApi, null, parameters));
        CommandStatus finished = await Api.WaitForFinishedAsync(started.StatusQueryGetUri);

        Assert.Equal("VehicleBusy", finished.Outcome);
        AssertError(finished, code, label);
        Assert.Equal(0, finished.Output.GetProperty("pinAttemptsUsed").GetInt32());
        IReadOnlyList<RequestLogEntry> log = [.. (await fixture.Simulator.GetRequestsAsync(vin)).Skip(1)];
        Assert.Equal(Enumerable.Repeat((int?)code, OutcomeTableFixture.BusyRetryAttempts + 1), log.Select(e => e.ErrorCode));
        Assert.Equal(["call-1", "call-1-busy-1", "call-1-busy-2"], Steps(started.Id, log));
        Assert.Null(RequestLog.EachKeyExecutedOnce(log));
    }

    [Theory]
    [InlineData(2353)]
    [InlineData(2364)]
    public async Task Row_busy_a_car_that_is_free_again_at_the_busy_retry_carries_the_command_out_and_it_succeeds(int code)
    {
        string vin = TestVins.New();
        await fixture.Simulator.SetStrongAuthAsync(vin, CommandApi, action: null, required: false);
        await fixture.Simulator.QueueErrorsAsync(vin, CommandApi, [code]);

        StartedCommand started = await Api.StartAsync(CommandsClient.Body(vin, CommandApi, null, Lock));
        CommandStatus finished = await Api.WaitForFinishedAsync(started.StatusQueryGetUri);

        Assert.Equal("Succeeded", finished.Outcome);
        Assert.Equal("SUCCEEDED", finished.Output.GetProperty("status").GetString());
        IReadOnlyList<RequestLogEntry> log = await fixture.Simulator.GetRequestsAsync(vin);
        Assert.Equal([code, null], log.Select(e => e.ErrorCode));
        Assert.Equal(["call-1", "call-1-busy-1"], Steps(started.Id, log));
        Assert.Null(RequestLog.EachKeyExecutedOnce(log));
        Assert.Equal("locked", (await fixture.Simulator.GetVehicleStateAsync(vin)).Doors);
    }

    // ---- Anything else: VehicleError with the SDK's code and label ----

    [Fact]
    public async Task Row_other_code_a_refusal_by_the_car_after_the_otp_is_a_VehicleError_passing_2360_through()
    {
        // The doors are all unlocked already: the car refuses the unlock that came with the OTP.
        string vin = TestVins.New();
        StartedCommand started = await Api.StartAsync(CommandsClient.Body(vin, CommandApi, null, Unlock));
        await Api.WaitForStageAsync(started.StatusQueryGetUri, "AwaitingPin");

        await Api.DeliverPinAsync(started.PinPostUri, LocalHostFixture.DefaultPin);
        CommandStatus finished = await Api.WaitForFinishedAsync(started.StatusQueryGetUri);

        Assert.Equal("VehicleError", finished.Outcome);
        AssertError(finished, 2360, "All vehicle's doors are unlocked");
        Assert.False(string.IsNullOrEmpty(finished.Output.GetProperty("transactionId").GetString()));
        Assert.Equal(1, finished.Output.GetProperty("pinAttemptsUsed").GetInt32());
        IReadOnlyList<RequestLogEntry> log = await fixture.Simulator.GetRequestsAsync(vin);
        Assert.Collection(
            log,
            call => Assert.Equal((CommandApi, false, (int?)2302), (call.Api, call.HasOtp, call.ErrorCode)),
            otp => Assert.Equal((RequestLog.OtpApi, "SUCCEEDED"), (otp.Api, otp.Status)),
            refused => Assert.Equal((CommandApi, true, (int?)2360), (refused.Api, refused.HasOtp, refused.ErrorCode)));
        Assert.Equal(["call-1", "otp-1", "call-2"], Steps(started.Id, log));
        Assert.Null(RequestLog.EachKeyExecutedOnce(log));
        Assert.True(Assert.Single(await fixture.Simulator.GetOtpsAsync(vin)).Used);
        Assert.Equal("unlocked", (await fixture.Simulator.GetVehicleStateAsync(vin)).Doors);
    }

    [Fact]
    public async Task Row_other_code_a_horn_repeated_within_the_cars_cooldown_is_a_VehicleError_passing_2358_through()
    {
        string vin = TestVins.New();
        await fixture.Simulator.SetStrongAuthAsync(vin, CommandApi, "horn", required: false);
        StartedCommand first = await Api.StartAsync(CommandsClient.Body(vin, CommandApi, null, Horn));
        Assert.Equal("Succeeded", (await Api.WaitForFinishedAsync(first.StatusQueryGetUri)).Outcome);

        StartedCommand started = await Api.StartAsync(CommandsClient.Body(vin, CommandApi, null, Horn));
        CommandStatus finished = await Api.WaitForFinishedAsync(started.StatusQueryGetUri);

        Assert.Equal("VehicleError", finished.Outcome);
        AssertError(finished, 2358, "Horn request have been execute with succes earlier wait to send new one");
        IReadOnlyList<RequestLogEntry> log = await fixture.Simulator.GetRequestsAsync(vin);
        Assert.Equal([null, 2358], log.Select(e => e.ErrorCode));
        Assert.Equal(["call-1"], Steps(started.Id, log.Skip(1)));
        Assert.Null(RequestLog.EachKeyExecutedOnce(log));
    }

    [Fact]
    public async Task Row_other_an_http_refusal_is_not_retried_and_is_a_VehicleError_with_the_http_status_and_no_transaction()
    {
        string vin = TestVins.New();
        await fixture.Simulator.InjectFaultsAsync(400, count: 1);

        StartedCommand started = await Api.StartAsync(TestCommands.Plain(vin));
        CommandStatus finished = await Api.WaitForFinishedAsync(started.StatusQueryGetUri);

        Assert.Equal("VehicleError", finished.Outcome);
        Assert.Equal("FAILED", finished.Output.GetProperty("status").GetString());
        JsonElement error = finished.Output.GetProperty("error");
        Assert.Equal(400, error.GetProperty("code").GetInt32());
        Assert.Contains("HTTP 400", error.GetProperty("label").GetString(), StringComparison.Ordinal);
        Assert.True(
            !finished.Output.TryGetProperty("transactionId", out JsonElement transaction) || transaction.ValueKind == JsonValueKind.Null,
            $"A transaction id without an answer: {finished.Output}");
        RequestLogEntry refused = Assert.Single(await fixture.Simulator.GetRequestsAsync(vin));
        Assert.Equal(400, refused.HttpStatus);
        Assert.Equal(["call-1"], Steps(started.Id, [refused]));
    }

    /// <summary>The output's error is the SDK's code and label, as the gateway answered them.</summary>
    private static void AssertError(CommandStatus finished, int code, string label)
    {
        Assert.Equal("FAILED", finished.Output.GetProperty("status").GetString());
        JsonElement error = finished.Output.GetProperty("error");
        Assert.Equal((code, label), (error.GetProperty("code").GetInt32(), error.GetProperty("label").GetString()));
    }

    /// <summary>VehicleUnavailable's error: 503, a label giving the number of durable runs, no transaction.</summary>
    private static JsonElement AssertUnavailable(CommandStatus finished)
    {
        Assert.Equal("FAILED", finished.Output.GetProperty("status").GetString());
        JsonElement error = finished.Output.GetProperty("error");
        Assert.Equal(503, error.GetProperty("code").GetInt32());
        Assert.StartsWith(
            $"The vehicle API stayed unavailable after {OutcomeTableFixture.RetryMaxAttempts} attempts",
            error.GetProperty("label").GetString(),
            StringComparison.Ordinal);
        Assert.True(
            !finished.Output.TryGetProperty("transactionId", out JsonElement transaction) || transaction.ValueKind == JsonValueKind.Null,
            $"A transaction id without an answer: {finished.Output}");
        return error;
    }

    /// <summary>The logical step of each request's idempotency key (<c>{id}:{execution}:{step}</c>), asserting it is the command's.</summary>
    private static List<string> Steps(string id, IEnumerable<RequestLogEntry> log) =>
    [
        .. log.Select(e =>
        {
            Assert.NotNull(e.IdempotencyKey);
            Assert.StartsWith(id + ":", e.IdempotencyKey, StringComparison.Ordinal);
            return e.IdempotencyKey[(e.IdempotencyKey.LastIndexOf(':') + 1)..];
        }),
    ];

    /// <summary>Polls until the command awaits the PIN of <paramref name="round"/>.</summary>
    private Task<CommandStatus> WaitForPinRoundAsync(Uri statusUri, int round) => Eventually.GetAsync(
        async () =>
        {
            CommandStatus status = await Api.GetStatusAsync(statusUri);
            Assert.True(status.StatusCode == HttpStatusCode.Accepted, $"The command finished or failed while awaiting PIN round {round}: {status.Body}");
            return status.Stage == "AwaitingPin" && status.CustomStatus.TryGetProperty("pinRound", out JsonElement r) && r.GetInt32() == round ? status : null;
        },
        $"PIN round {round} at {statusUri}",
        CommandsClient.FlowTimeout);
}
