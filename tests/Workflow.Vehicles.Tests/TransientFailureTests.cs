using Microsoft.DurableTask.Client;
using Workflow.VehicleSimulator.State;
using Workflow.Vehicles.Api;
using Workflow.Vehicles.Tests.Infrastructure;

namespace Workflow.Vehicles.Tests;

/// <summary>
/// HTTP failures injected by the simulator: quick retries in the HTTP client, durable retries for longer
/// outages, and non-retryable refusals passed through as <see cref="VehicleCommandOutcome.VehicleError"/>.
/// The host retries twice in the HTTP client (3 HTTP attempts per activity) and runs each activity at
/// most 3 times.
/// </summary>
public sealed class TransientFailureTests(FaultsWorkflowFixture fixture) : IClassFixture<FaultsWorkflowFixture>
{
    private const string Api = VehicleWorkflowHost.InformationsApi;
    private const string RemoteApi = VehicleWorkflowHost.CommandApi;
    private const string OtpApi = VehicleWorkflowHost.OtpApi;
    private readonly VehicleWorkflowHost _host = fixture.Host;

    [Fact]
    public async Task A_few_503s_are_absorbed_by_the_http_client_retries()
    {
        string vin = TestVins.New();
        await _host.Simulator.InjectFaultsAsync(503, count: 2);
        string id = await _host.StartCommandAsync(vin, Api, VehicleWorkflowHost.Read);

        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.Succeeded, result.Outcome);
        IReadOnlyList<RequestLogEntry> requests = await _host.Simulator.GetRequestsAsync(vin);
        Assert.Equal([503, 503, 200], requests.Select(r => r.HttpStatus));
        Assert.Equal(["call-1", "call-1", "call-1"], IdempotencyKeyShape.Steps(id, requests).Steps);

        // The activity itself never failed: the client logs an HTTP failure only when its retries are used up.
        Assert.Empty(_host.LogLines(vin, "HTTP 503"));
    }

    [Fact]
    public async Task A_longer_outage_is_outlasted_by_the_durable_retry_with_the_same_idempotency_key()
    {
        string vin = TestVins.New();

        // Three failures exhaust the HTTP client's attempts for the first activity run; the durable retry then gets through.
        await _host.Simulator.InjectFaultsAsync(503, count: 4);
        string id = await _host.StartCommandAsync(vin, Api, VehicleWorkflowHost.Read);

        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.Succeeded, result.Outcome);
        IReadOnlyList<RequestLogEntry> requests = await _host.Simulator.GetRequestsAsync(vin);
        Assert.Equal([503, 503, 503, 503, 200], requests.Select(r => r.HttpStatus));
        Assert.Equal(["call-1", "call-1", "call-1", "call-1", "call-1"], IdempotencyKeyShape.Steps(id, requests).Steps);

        // Three HTTP attempts per activity run: one run failed (one "HTTP 503" line of the client), the durable retry got through.
        Assert.Single(_host.LogLines(vin, "HTTP 503"));
        Assert.Empty(_host.LogLines(id, "giving up"));
    }

    [Fact]
    public async Task An_outage_that_outlasts_every_retry_ends_with_VehicleUnavailable_503()
    {
        string vin = TestVins.New();
        await _host.Simulator.InjectFaultsAsync(503, count: 9);
        string id = await _host.StartCommandAsync(vin, Api, VehicleWorkflowHost.Read);

        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.VehicleUnavailable, result.Outcome);
        Assert.Equal("FAILED", result.Status);
        Assert.Equal(503, result.Error!.Code);
        Assert.StartsWith("The vehicle API stayed unavailable after 3 attempts", result.Error.Label, StringComparison.Ordinal);
        Assert.Contains("HTTP 503", result.Error.Label, StringComparison.Ordinal);
        Assert.Null(result.TransactionId);

        // Three activity runs (RetryMaxAttempts) of three HTTP attempts each, all with the key of the one logical call.
        IReadOnlyList<RequestLogEntry> requests = await _host.Simulator.GetRequestsAsync(vin);
        Assert.Equal(9, requests.Count);
        Assert.All(requests, r => Assert.Equal(503, r.HttpStatus));
        Assert.All(IdempotencyKeyShape.Steps(id, requests).Steps, s => Assert.Equal("call-1", s));
        Assert.Empty(await _host.Simulator.GetFaultsAsync());
        Assert.Equal(3, _host.LogLines(vin, "HTTP 503").Count);
        Assert.Single(_host.LogLines(id, "CallVehicleApi kept failing transiently; giving up"));
    }

    [Fact]
    public async Task A_non_retryable_http_refusal_is_not_retried_and_ends_with_VehicleError()
    {
        string vin = TestVins.New();
        await _host.Simulator.InjectFaultsAsync(400, count: 1);
        string id = await _host.StartCommandAsync(vin, Api, VehicleWorkflowHost.Read);

        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.VehicleError, result.Outcome);
        Assert.Equal("FAILED", result.Status);
        Assert.Equal(400, result.Error!.Code);
        Assert.Contains("HTTP 400", result.Error.Label, StringComparison.Ordinal);
        Assert.Null(result.TransactionId);
        Assert.Equal([400], (await _host.Simulator.GetRequestsAsync(vin)).Select(r => r.HttpStatus));
    }

    [Fact]
    public async Task A_revoked_token_is_renewed_once_and_the_request_repeated()
    {
        string vin = TestVins.New();
        await _host.Simulator.InjectFaultsAsync(401, count: 1);
        string id = await _host.StartCommandAsync(vin, Api, VehicleWorkflowHost.Read);

        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.Succeeded, result.Outcome);
        Assert.Equal([401, 200], (await _host.Simulator.GetRequestsAsync(vin)).Select(r => r.HttpStatus));
    }

    [Fact]
    public async Task An_expired_gateway_token_2301_is_renewed_and_the_call_repeated_once_invisibly()
    {
        string vin = TestVins.New();
        string warm = await _host.StartCommandAsync(TestVins.New(), Api, VehicleWorkflowHost.Read);
        Assert.Equal(VehicleCommandOutcome.Succeeded, (await _host.WaitForResultAsync(warm)).Result.Outcome);

        // The token the client holds has expired at the gateway: it answers 2301 Need Basic Authentication.
        await _host.Simulator.ExpireTokensAsync();
        string id = await _host.StartCommandAsync(vin, Api, VehicleWorkflowHost.Read);

        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.Succeeded, result.Outcome);
        Assert.Null(result.Error);
        IReadOnlyList<RequestLogEntry> requests = await _host.Simulator.GetRequestsAsync(vin);
        Assert.Equal([2301, null], requests.Select(r => r.ErrorCode));
        Assert.Equal(["call-1", "call-1"], IdempotencyKeyShape.Steps(id, requests).Steps);
        Assert.Single(_host.LogLines(vin, "2301 Need Basic Authentication"));
    }

    [Fact]
    public async Task A_2301_that_persists_after_the_renewed_token_ends_with_VehicleError_2301()
    {
        string vin = TestVins.New();
        await _host.Simulator.QueueErrorsAsync(vin, Api, [2301, 2301]);
        string id = await _host.StartCommandAsync(vin, Api, VehicleWorkflowHost.Read);

        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.VehicleError, result.Outcome);
        Assert.Equal((2301, "Need Basic Authentication (to get CVS token)"), (result.Error!.Code, result.Error.Label));
        Assert.Equal(2, (await _host.Simulator.GetRequestsAsync(vin)).Count);
    }

    [Fact]
    public async Task The_inputs_RetryMaxAttempts_applies_even_though_the_hosts_options_say_otherwise()
    {
        Assert.Equal(3, _host.Options.RetryMaxAttempts);
        string vin = TestVins.New();

        // One activity run's worth of HTTP attempts: the host's three runs would get through, the input's one does not.
        await _host.Simulator.InjectFaultsAsync(503, count: 3);
        string id = await _host.StartCommandAsync(vin, Api, VehicleWorkflowHost.Read, settings: _host.Settings with { RetryMaxAttempts = 1 });

        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.VehicleUnavailable, result.Outcome);
        Assert.Equal(503, result.Error!.Code);
        Assert.StartsWith("The vehicle API stayed unavailable after 1 attempts", result.Error.Label, StringComparison.Ordinal);
        Assert.Equal([503, 503, 503], (await _host.Simulator.GetRequestsAsync(vin)).Select(r => r.HttpStatus));
        Assert.Single(_host.LogLines(vin, "HTTP 503"));
        Assert.Single(_host.LogLines(id, "giving up"));
    }

    [Fact]
    public async Task An_outage_of_the_otp_request_is_outlasted_by_the_durable_retry_and_counts_as_one_pin_attempt()
    {
        string vin = TestVins.New();
        string id = await _host.StartCommandAsync(vin, RemoteApi, VehicleWorkflowHost.Lock);
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);

        // The first call is done: these hit the OTP request, one activity run's worth of HTTP attempts.
        await _host.Simulator.InjectFaultsAsync(503, count: 3);
        await _host.SubmitPinAsync(id, VehicleWorkflowHost.DefaultPin);
        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.Succeeded, result.Outcome);
        Assert.Equal(1, result.PinAttemptsUsed);
        IReadOnlyList<RequestLogEntry> requests = await _host.Simulator.GetRequestsAsync(vin);
        Assert.Equal(["call-1", "otp-1", "otp-1", "otp-1", "otp-1", "call-2"], IdempotencyKeyShape.Steps(id, requests).Steps);
        Assert.Equal([200, 503, 503, 503, 200, 200], requests.Select(r => r.HttpStatus));
        Assert.Single(_host.LogLines(vin, "HTTP 503"));
        Assert.Empty(_host.PinAttempts.AttemptsOf(vin));
    }

    [Fact]
    public async Task An_outage_of_the_otp_request_past_every_retry_ends_with_VehicleUnavailable_503_and_no_pin_attempt_counted()
    {
        string vin = TestVins.New();
        string id = await _host.StartCommandAsync(vin, RemoteApi, VehicleWorkflowHost.Lock);
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);

        await _host.Simulator.InjectFaultsAsync(503, count: 9);
        await _host.SubmitPinAsync(id, VehicleWorkflowHost.DefaultPin);
        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        // Not the PIN's fault: the command ends instead of asking for another PIN.
        Assert.Equal(VehicleCommandOutcome.VehicleUnavailable, result.Outcome);
        Assert.Equal(503, result.Error!.Code);
        Assert.StartsWith("The vehicle API stayed unavailable after 3 attempts", result.Error.Label, StringComparison.Ordinal);
        Assert.Equal(1, result.PinAttemptsUsed);
        Assert.Equal(9, (await _host.Simulator.GetRequestsAsync(vin)).Count(r => r.Api == OtpApi && r.HttpStatus == 503));
        Assert.Single(_host.LogLines(id, "RequestVehicleOtp kept failing transiently; giving up"));
        Assert.Empty(_host.PinAttempts.AttemptsOf(vin));
    }

    [Fact]
    public async Task A_non_retryable_refusal_of_the_otp_request_ends_with_VehicleError_without_asking_for_another_pin()
    {
        string vin = TestVins.New();
        string id = await _host.StartCommandAsync(vin, RemoteApi, VehicleWorkflowHost.Lock);
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);

        await _host.Simulator.InjectFaultsAsync(400, count: 1);
        await _host.SubmitPinAsync(id, VehicleWorkflowHost.DefaultPin);
        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.VehicleError, result.Outcome);
        Assert.Equal(400, result.Error!.Code);
        Assert.Contains("HTTP 400", result.Error.Label, StringComparison.Ordinal);
        Assert.Equal(1, result.PinAttemptsUsed);
        Assert.Equal(["call-1", "otp-1"], IdempotencyKeyShape.Steps(id, await _host.Simulator.GetRequestsAsync(vin)).Steps);
        Assert.Empty(_host.PinAttempts.AttemptsOf(vin));
    }
}
