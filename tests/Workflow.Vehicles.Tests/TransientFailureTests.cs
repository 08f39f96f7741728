using Workflow.Durable;
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
    private const string Api = "pims.vehicle.status";
    private readonly VehicleWorkflowHost _host = fixture.Host;

    [Fact]
    public async Task A_few_503s_are_absorbed_by_the_http_client_retries()
    {
        string vin = TestVins.New();
        await _host.Simulator.InjectFaultsAsync(503, count: 2);
        string id = await _host.StartCommandAsync(vin, Api);

        (OrchestrationMetadata metadata, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.Succeeded, result.Outcome);
        Assert.Equal([503, 503, 200], (await _host.Simulator.GetRequestsAsync(vin)).Select(r => r.HttpStatus));
        OrchestrationMetadata withHistory = (await _host.Client.GetInstanceAsync(id, getInputsAndOutputs: false, getHistory: true))!;
        Assert.DoesNotContain(withHistory.History!, e => e.EventType == "TaskFailed");
    }

    [Fact]
    public async Task A_longer_outage_is_outlasted_by_the_durable_retry_with_the_same_idempotency_key()
    {
        string vin = TestVins.New();

        // Three failures exhaust the HTTP client's attempts for the first activity run; the durable retry then gets through.
        await _host.Simulator.InjectFaultsAsync(503, count: 4);
        string id = await _host.StartCommandAsync(vin, Api);

        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.Succeeded, result.Outcome);
        IReadOnlyList<RequestLogEntry> requests = await _host.Simulator.GetRequestsAsync(vin);
        Assert.Equal([503, 503, 503, 503, 200], requests.Select(r => r.HttpStatus));
        Assert.All(requests, r => Assert.Equal($"{id}:call-1", r.IdempotencyKey));

        OrchestrationMetadata withHistory = (await _host.Client.GetInstanceAsync(id, getInputsAndOutputs: false, getHistory: true))!;
        OrchestrationHistoryEvent failed = Assert.Single(withHistory.History!, e => e.EventType == "TaskFailed");
        Assert.Equal(typeof(VehicleApiTransientException).FullName, failed.Failure!.ErrorType);
        Assert.Contains(withHistory.History!, e => e.EventType == "TimerFired");
    }

    [Fact]
    public async Task An_outage_that_outlasts_every_retry_ends_with_VehicleError_503()
    {
        string vin = TestVins.New();
        await _host.Simulator.InjectFaultsAsync(503, count: 9);
        string id = await _host.StartCommandAsync(vin, Api);

        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.VehicleError, result.Outcome);
        Assert.Equal("FAILED", result.Status);
        Assert.Equal(503, result.Error!.Code);
        Assert.Contains("unavailable", result.Error.Label, StringComparison.Ordinal);
        Assert.Equal(9, (await _host.Simulator.GetRequestsAsync(vin)).Count(r => r.HttpStatus == 503));
        Assert.Empty(await _host.Simulator.GetFaultsAsync());
    }

    [Fact]
    public async Task A_non_retryable_http_refusal_is_not_retried_and_ends_with_VehicleError()
    {
        string vin = TestVins.New();
        await _host.Simulator.InjectFaultsAsync(400, count: 1);
        string id = await _host.StartCommandAsync(vin, Api);

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
        string id = await _host.StartCommandAsync(vin, Api);

        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.Succeeded, result.Outcome);
        Assert.Equal([401, 200], (await _host.Simulator.GetRequestsAsync(vin)).Select(r => r.HttpStatus));
    }
}
