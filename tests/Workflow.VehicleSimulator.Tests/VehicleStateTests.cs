using Workflow.VehicleSimulator.Tests.Support;
using Xunit;

namespace Workflow.VehicleSimulator.Tests;

/// <summary>The command-specific codes, from the scriptable vehicle state (<c>PUT /_sim/vehicles/{vin}/state</c>).</summary>
public sealed class VehicleStateTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    private readonly SimulatorClient _sim = fixture.Client;

    public static TheoryData<string, string, int, string> Refusals => new()
    {
        { """{"doors":"locked"}""", """{"action":"doors","doorState":"lock"}""", 2361, "All vehicle's doors are locked" },
        { "{}", """{"action":"doors","doorState":"unlock"}""", 2360, "All vehicle's doors are unlocked" },
        { """{"doorOpen":true}""", """{"action":"doors","doorState":"lock"}""", 2362, "Lock/Unlock request discarded due to door open" },
        { """{"hornRecentlyUsed":true}""", """{"action":"horn"}""", 2358, "Horn request have been execute with succes earlier wait to send new one" },
        { """{"lightsRecentlyUsed":true}""", """{"action":"warning"}""", 2359, "Light request have been execute with succes earlier wait to send new one" },
        { """{"engineRunning":true}""", """{"action":"horn"}""", 2329, "Immediate horn request discarded due to SEV different than STOP." },
        { """{"charging":true}""", """{"action":"charge","startNow":true}""", 2331, "Immediate charging request discarded due to charging already ongoing." },
        { """{"chargingStandby":true}""", """{"action":"charge","startNow":true}""", 2330, "Immediate charging request discarded due to charging system is standby" },
        { """{"preconditioning":true}""", """{"action":"preconditioning","startNow":true,"programs":[]}""", 2333, "Immediate preconditioning request discarded due to preconditioning already ongoing." },
        { "{}", """{"action":"preconditioning","startNow":false,"programs":[]}""", 2336, "Stop preconditioning request discarded due to precondtioning not running." },
        { """{"engineRunning":true,"preconditioning":true}""", """{"action":"preconditioning","startNow":false,"programs":[]}""", 2335, "Stop preconditioning request discarded due to SEV different than STOP." },
        { """{"runningAction":"horn"}""", """{"action":"horn"}""", 2364, "Command can't be execute because same command are ongoing" },
        { """{"runningAction":"charge"}""", """{"action":"horn"}""", 2353, "Command can't be execute another command are ongoing" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task The_vehicle_state_refuses_a_command_with_its_specific_code(string state, string parameters, int code, string label)
    {
        var vin = TestVins.Next();
        await _sim.SetStateAsync(vin, System.Text.Json.JsonDocument.Parse(state).RootElement);
        var otp = await _sim.GetOtpAsync(vin);

        var answer = await _sim.CallAsync(vin, SimulatorClient.CommandApi, System.Text.Json.JsonDocument.Parse(parameters).RootElement, otp);

        Assert.Equal("FAILED", answer.Status);
        Assert.Equal((code, label), (answer.ErrorCode, answer.ErrorLabel));
    }

    [Fact]
    public async Task A_busy_answer_comes_before_strong_authentication_and_leaves_the_otp_unused()
    {
        var vin = TestVins.Next();
        await _sim.SetStateAsync(vin, new { runningAction = "doors" });
        var otp = await _sim.GetOtpAsync(vin);

        var busy = await _sim.LockAsync(vin, otp);
        await _sim.SetStateAsync(vin, new { runningAction = "" });
        var executed = await _sim.LockAsync(vin, otp);

        Assert.Equal(2364, busy.ErrorCode);
        Assert.Equal("SUCCEEDED", executed.Status);
    }

    [Fact]
    public async Task Commands_change_the_state_that_reading_the_vehicle_answers()
    {
        var vin = TestVins.Next();
        await _sim.LockAsync(vin, await _sim.GetOtpAsync(vin));
        await _sim.CallAsync(vin, SimulatorClient.CommandApi, new { action = "charge", startNow = true }, await _sim.GetOtpAsync(vin));

        var read = await _sim.ReadAsync(vin);

        var vehicle = read.Result.GetProperty("vehicle");
        Assert.Equal("locked", vehicle.GetProperty("doors").GetString());
        Assert.True(vehicle.GetProperty("charging").GetBoolean());
    }

    [Theory]
    [InlineData("""{"doors":"ajar"}""")]
    [InlineData("""{"runningAction":"fly"}""")]
    [InlineData("""{"wrongPinsBeforeBlock":0}""")]
    [InlineData("""{"strongAuth":{"pims.remote.horn":false}}""")]
    public async Task An_invalid_state_update_is_rejected_with_400(string body)
    {
        using var response = await _sim.Http.PutAsync(
            new Uri($"/_sim/vehicles/{TestVins.Next()}/state", UriKind.Relative),
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
    }
}
