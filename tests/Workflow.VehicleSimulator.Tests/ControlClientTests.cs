using Workflow.VehicleSimulator.Control;
using Workflow.VehicleSimulator.State;
using Workflow.VehicleSimulator.Tests.Support;
using Xunit;

namespace Workflow.VehicleSimulator.Tests;

/// <summary>The typed control client that other test projects drive the simulator with, against the real endpoints.</summary>
public sealed class ControlClientTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    private readonly SimulatorClient _sim = fixture.Client;

    [Fact]
    public async Task ControlClientSetsPinsQueuesErrorsInjectsFaultsAndReadsOtpsAndRequests()
    {
        var control = new VehicleSimulatorControlClient(_sim.Http);
        var vin = TestVins.Next();

        await control.SetPinAsync(vin, "4444");
        await control.QueueErrorsAsync(vin, SimulatorClient.OtpApi, [2317]);
        var refused = await _sim.RequestOtpAsync(vin, "4444");
        var issued = await _sim.RequestOtpAsync(vin, "4444", resetStep: true);
        await control.InjectFaultsAsync(503, count: 2, path: "/v1/token");

        Assert.Equal(2317, refused.ErrorCode);
        Assert.Equal("SUCCEEDED", issued.Status);
        var otp = Assert.Single(await control.GetOtpsAsync(vin));
        Assert.Equal(vin, otp.Vin);
        Assert.Contains(await control.GetOtpsAsync(), o => o.Vin == vin);
        Assert.Equal([2317, null], (await control.GetRequestsAsync(vin)).Select(r => r.ErrorCode));
        var fault = Assert.Single(await control.GetFaultsAsync(), f => f.Path == "/v1/token");
        Assert.Equal((503, 2), (fault.Status, fault.Remaining));
    }

    [Fact]
    public async Task ControlClientScriptsTheVehicleStateStrongAuthAndAccount()
    {
        var control = new VehicleSimulatorControlClient(_sim.Http);
        var vin = TestVins.Next();

        var state = await control.SetVehicleStateAsync(vin, new VehicleStateUpdate { Doors = "locked", RunningAction = "horn", WrongPinsBeforeBlock = 1 });
        var busy = await _sim.CallAsync(vin, SimulatorClient.CommandApi, SimulatorClient.Horn);
        await control.SetStrongAuthAsync(vin, SimulatorClient.CommandApi, "doors", required: false);
        await control.SetVehicleStateAsync(vin, new VehicleStateUpdate { RunningAction = "" });
        var unlocked = await _sim.CallAsync(vin, SimulatorClient.CommandApi, SimulatorClient.Unlock);
        await _sim.RequestOtpAsync(vin, "000000");
        var blocked = await control.GetVehicleStateAsync(vin);
        await control.UnblockAccountAsync(vin);
        var unblocked = await control.GetVehicleStateAsync(vin);

        Assert.Equal(("locked", "horn"), (state.Doors, state.RunningAction));
        Assert.Equal(2364, busy.ErrorCode);
        Assert.Equal("SUCCEEDED", unlocked.Status);
        Assert.True(blocked.AccountBlocked);
        Assert.False(unblocked.AccountBlocked);
        Assert.Equal("unlocked", unblocked.Doors);
        Assert.Null(unblocked.RunningAction);
        Assert.False(unblocked.StrongAuth["pims.vehicle.command:doors"]);
        Assert.Equal(["set", "set", "get"], (await control.GetRequestsAsync(vin)).Select(r => r.Verb));
    }
}
