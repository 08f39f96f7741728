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
        string id = await _host.StartCommandAsync(vin, VehicleWorkflowHost.InformationsApi, VehicleWorkflowHost.Read);

        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.Succeeded, result.Outcome);
        Assert.Empty(await _host.Simulator.GetFaultsAsync());
        RequestLogEntry processed = Assert.Single(await _host.Simulator.GetRequestsAsync(vin));
        Assert.Equal("call-1", IdempotencyKeyShape.Parse(id, processed.IdempotencyKey).Step);
        Assert.False(processed.Replayed);

        // The first activity run gave up on timeouts (the client's one "unreachable" line) and the durable retry got through.
        Assert.Single(_host.LogLines(vin, "unreachable (TimeoutRejectedException)"));
        Assert.Empty(_host.LogLines(id, "giving up"));
    }
}
