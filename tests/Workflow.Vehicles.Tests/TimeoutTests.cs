using Workflow.Durable;
using Workflow.VehicleSimulator.State;
using Workflow.Vehicles.Api;
using Workflow.Vehicles.Tests.Infrastructure;

namespace Workflow.Vehicles.Tests;

/// <summary>
/// A gateway that does not answer in time: the attempt is abandoned (the simulator then drops the request
/// unprocessed) and retried, first by the HTTP client, then by the durable retry policy.
/// </summary>
public sealed class TimeoutTests(SlowGatewayFixture fixture) : IClassFixture<SlowGatewayFixture>
{
    private readonly VehicleWorkflowHost _host = fixture.Host;

    [Fact]
    public async Task Attempts_that_time_out_are_retried_until_the_vehicle_acts_once()
    {
        string vin = TestVins.New();

        // Three silent attempts use up the HTTP client's retries for the first activity run.
        await _host.Simulator.InjectFaultsAsync(status: 0, count: 3, delayMs: 60_000);
        string id = await _host.StartCommandAsync(vin, "pims.vehicle.status");

        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.Succeeded, result.Outcome);
        Assert.Empty(await _host.Simulator.GetFaultsAsync());
        RequestLogEntry processed = Assert.Single(await _host.Simulator.GetRequestsAsync(vin));
        Assert.Equal($"{id}:call-1", processed.IdempotencyKey);

        OrchestrationMetadata withHistory = (await _host.Client.GetInstanceAsync(id, getInputsAndOutputs: false, getHistory: true))!;
        OrchestrationHistoryEvent failed = Assert.Single(withHistory.History!, e => e.EventType == "TaskFailed");
        Assert.Equal(typeof(VehicleApiTransientException).FullName, failed.Failure!.ErrorType);
        Assert.Equal("Polly.Timeout.TimeoutRejectedException", failed.Failure.InnerFailure?.ErrorType);
    }
}
