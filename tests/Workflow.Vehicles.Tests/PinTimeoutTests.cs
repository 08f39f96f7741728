using Workflow.Vehicles.Tests.Infrastructure;

namespace Workflow.Vehicles.Tests;

/// <summary>No PIN before the deadline (2 seconds here) ends the command.</summary>
public sealed class PinTimeoutTests(ShortPinTimeoutFixture fixture) : IClassFixture<ShortPinTimeoutFixture>
{
    private readonly VehicleWorkflowHost _host = fixture.Host;

    [Fact]
    public async Task No_pin_before_the_deadline_ends_with_PinTimeout()
    {
        string vin = TestVins.New();
        string id = await _host.StartCommandAsync(vin, "pims.remote.horn");
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);

        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.PinTimeout, result.Outcome);
        Assert.Equal("FAILED", result.Status);
        Assert.Equal(2302, result.Error!.Code);
        Assert.Equal(0, result.PinAttemptsUsed);
    }
}
