using Workflow.VehicleSimulator.Tests.Support;
using Xunit;

namespace Workflow.VehicleSimulator.Tests;

/// <summary>The gateway's catalogue: APIs, verbs and parameters, refused with the spec's 2101/2102 naming the parameter.</summary>
public sealed class CatalogueTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    private readonly SimulatorClient _sim = fixture.Client;

    public static TheoryData<string, string, string, int, string> Refusals => new()
    {
        { "pims.vehicle.status", "get", "{}", 2102, "Invalid api parameter" },
        { "pims.remote.door.lock", "set", """{"action":"doors","doorState":"lock"}""", 2102, "Invalid api parameter" },
        { "pims.vehicle.command", "get", """{"action":"doors","doorState":"lock"}""", 2102, "Invalid api parameter" },
        { "pims.vehicle.informations", "set", """{"actionType":"remote","action":"get"}""", 2102, "Invalid api parameter" },
        { "pims.vehicle.command", "set", "{}", 2101, "Missing action parameter" },
        { "pims.vehicle.command", "set", """{"action":"fly"}""", 2102, "Invalid action parameter" },
        { "pims.vehicle.command", "set", """{"action":"doors"}""", 2101, "Missing doorState parameter" },
        { "pims.vehicle.command", "set", """{"action":"doors","doorState":"open"}""", 2102, "Invalid doorState parameter" },
        { "pims.vehicle.command", "set", """{"action":"charge"}""", 2101, "Missing startNow parameter" },
        { "pims.vehicle.command", "set", """{"action":"charge","startNow":"yes"}""", 2102, "Invalid startNow parameter" },
        { "pims.vehicle.command", "set", """{"action":"chargeDeferredTime","startNow":false,"checkStartCharge":true}""", 2101, "Missing deferredTime parameter" },
        { "pims.vehicle.command", "set", """{"action":"chargeDeferredTime","startNow":false,"deferredTime":"22:30","checkStartCharge":true}""", 2102, "Invalid deferredTime parameter" },
        { "pims.vehicle.command", "set", """{"action":"preconditioning","startNow":true}""", 2101, "Missing programs parameter" },
        { "pims.vehicle.command", "set", """{"action":"preconditioning","startNow":true,"programs":[{"hour":25,"minute":0,"isEnabled":true,"occurrence":["mon"],"slot":1}]}""", 2102, "Invalid programs parameter" },
        { "pims.vehicle.informations", "get", """{"action":"get"}""", 2101, "Missing actionType parameter" },
        { "pims.vehicle.informations", "get", """{"actionType":"remote","action":"wake"}""", 2102, "Invalid action parameter" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_call_outside_the_catalogue_is_refused_naming_the_parameter(string api, string verb, string parameters, int code, string label)
    {
        var vin = TestVins.Next();

        var answer = await _sim.CallAsync(vin, api, System.Text.Json.JsonDocument.Parse(parameters).RootElement, verb: verb);

        Assert.Equal("FAILED", answer.Status);
        Assert.Equal((code, label), (answer.ErrorCode, answer.ErrorLabel));
        Assert.Equal(verb, Assert.Single((await _sim.GetRequestsAsync(vin)).EnumerateArray()).GetProperty("verb").GetString());
    }

    [Theory]
    [InlineData("""{"action":"doors","doorState":"unlock"}""")]
    [InlineData("""{"action":"warning"}""")]
    [InlineData("""{"action":"charge","startNow":true}""")]
    [InlineData("""{"action":"chargeDeferredTime","startNow":false,"deferredTime":"PT22H30M","checkStartCharge":true}""")]
    [InlineData("""{"action":"preconditioning","startNow":true,"programs":[{"hour":7,"minute":30,"isEnabled":true,"occurrence":["mon","fri"],"slot":1}]}""")]
    public async Task Every_remote_command_of_the_catalogue_runs_with_an_otp(string parameters)
    {
        var vin = TestVins.Next();
        await _sim.SetStateAsync(vin, new { doors = "locked" });
        var otp = await _sim.GetOtpAsync(vin);

        var answer = await _sim.CallAsync(vin, SimulatorClient.CommandApi, System.Text.Json.JsonDocument.Parse(parameters).RootElement, otp);

        Assert.Equal("SUCCEEDED", answer.Status);
    }
}
