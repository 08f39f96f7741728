using Microsoft.DurableTask.Client;
using Workflow.Vehicles.Tests.Infrastructure;

namespace Workflow.Vehicles.Tests;

/// <summary>No PIN before the deadline (2 seconds on this host) ends the command.</summary>
public sealed class PinTimeoutTests(ShortPinTimeoutFixture fixture) : IClassFixture<ShortPinTimeoutFixture>
{
    private readonly VehicleWorkflowHost _host = fixture.Host;

    [Fact]
    public async Task No_pin_before_the_deadline_ends_with_PinTimeout()
    {
        Assert.Equal(TimeSpan.FromSeconds(2), _host.Options.PinTimeout);
        string vin = TestVins.New();
        string id = await _host.StartCommandAsync(vin, VehicleWorkflowHost.CommandApi, VehicleWorkflowHost.Horn);
        VehicleCommandStatus awaiting = await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);

        (OrchestrationMetadata finished, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.PinTimeout, result.Outcome);
        Assert.Equal("FAILED", result.Status);
        Assert.Equal(2302, result.Error!.Code);
        Assert.Equal(0, result.PinAttemptsUsed);

        // It was the deadline announced that ended it, with one wait and no OTP request.
        Assert.True(finished.LastUpdatedAt.UtcDateTime >= awaiting.PinDeadline!.Value.ToUniversalTime(), $"Timed out at {finished.LastUpdatedAt:O}, before the announced deadline {awaiting.PinDeadline:O}.");
        Assert.Single(_host.LogLines(id, "awaiting a PIN"));
        Assert.Equal(["call-1"], IdempotencyKeyShape.Steps(id, await _host.Simulator.GetRequestsAsync(vin)).Steps);
    }

    [Fact]
    public async Task Each_pin_wait_has_its_own_deadline_and_a_second_wait_can_time_out_too()
    {
        string vin = TestVins.New();
        string id = await _host.StartCommandAsync(vin, VehicleWorkflowHost.CommandApi, VehicleWorkflowHost.Horn);
        VehicleCommandStatus firstWait = await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);
        await _host.SubmitPinAsync(id, "0000");
        VehicleCommandStatus secondWait = await _host.WaitForPinRequestAsync(id, attemptsLeft: 2);
        Assert.True(secondWait.LastPinRejected);
        Assert.True(secondWait.PinDeadline > firstWait.PinDeadline, $"The second wait ends {secondWait.PinDeadline:O}, not after the first {firstWait.PinDeadline:O}.");

        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        // The command ends on the timeout, with the 2302 that asked for a PIN, not with the wrong PIN's 2308.
        Assert.Equal(VehicleCommandOutcome.PinTimeout, result.Outcome);
        Assert.Equal(2302, result.Error!.Code);
        Assert.Equal(1, result.PinAttemptsUsed);
        Assert.Equal(2, _host.LogLines(id, "awaiting a PIN").Count);
    }
}
