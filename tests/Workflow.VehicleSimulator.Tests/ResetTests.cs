using System.Net;
using Workflow.VehicleSimulator.Tests.Support;
using Xunit;

namespace Workflow.VehicleSimulator.Tests;

/// <summary>Own class (and server): a reset clears state other tests would be relying on.</summary>
public sealed class ResetTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    private readonly SimulatorClient _sim = fixture.Client;

    [Fact]
    public async Task ResetClearsVehiclesOtpsQueuesFaultsLogsAndIdempotency()
    {
        var vin = TestVins.Next();
        var key = Guid.NewGuid().ToString();
        await _sim.SetPinAsync(vin, "5555");
        await _sim.GetOtpAsync(vin, "5555");
        await _sim.QueueErrorsAsync(vin, SimulatorClient.CommandApi, 2400);
        await _sim.SetStateAsync(vin, new { doors = "locked", accountBlocked = true });
        await _sim.QueueErrorsAsync(vin, SimulatorClient.OtpApi, 2317);
        await _sim.RequestOtpAsync(vin, "5555");
        var beforeReset = await _sim.ReadAsync(vin, idempotencyKey: key);
        await _sim.AddFaultAsync(new { status = 503, count = 5, path = "/v1/pims/get" });

        await _sim.ResetAsync();

        Assert.Empty((await _sim.GetOtpsAsync()).EnumerateArray());
        Assert.Empty((await _sim.GetRequestsAsync()).EnumerateArray());
        Assert.Empty((await _sim.GetFaultsAsync()).EnumerateArray());
        var status = await _sim.ReadAsync(vin);
        var command = await _sim.LockAsync(vin);
        Assert.Equal("unlocked", (await _sim.GetStateAsync(vin)).GetProperty("doors").GetString());
        Assert.Equal(2302, command.ErrorCode);
        var otp = await _sim.RequestOtpAsync(vin, SimulatorClient.DefaultPin);
        var afterReset = await _sim.ReadAsync(vin, idempotencyKey: key);
        Assert.Equal("SUCCEEDED", status.Status);
        Assert.Equal("SUCCEEDED", otp.Status);
        Assert.NotEqual(beforeReset.TransactionId, afterReset.TransactionId);
    }

    [Fact]
    public async Task AccessTokensSurviveAReset()
    {
        var token = await _sim.NewTokenAsync();

        await _sim.ResetAsync();
        using var response = await _sim.PostPimsAsync(new { vin = TestVins.Next(), api = SimulatorClient.InformationsApi, parameters = SimulatorClient.Read }, token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
