using System.Net;
using Workflow.VehicleSimulator.Tests.Support;
using Xunit;

namespace Workflow.VehicleSimulator.Tests;

/// <summary>
/// "2301 (except horn)": the spec lists 2301 "Need Basic Authentication (to get CVS token)" among the generic codes of
/// every remote command except the horn. So an expired gateway token gets every call 2301 but the horn, which the
/// gateway carries out as with a valid token. Own class (and server): <c>POST /_sim/tokens/expire</c> expires every token.
/// </summary>
public sealed class HornBasicAuthenticationTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    private readonly SimulatorClient _sim = fixture.Client;

    [Fact]
    public async Task With_an_expired_token_the_horn_is_carried_out_while_other_commands_and_reads_answer_2301()
    {
        var vin = TestVins.Next();
        await _sim.SetStateAsync(vin, new { strongAuth = new Dictionary<string, bool> { [SimulatorClient.CommandApi] = false } });
        var token = await _sim.NewTokenAsync();
        await _sim.ExpireTokensAsync();

        var horn = await PostAsync(new { vin, api = SimulatorClient.CommandApi, parameters = SimulatorClient.Horn }, token, "set");
        var warning = await PostAsync(new { vin, api = SimulatorClient.CommandApi, parameters = new { action = "warning" } }, token, "set");
        var doors = await PostAsync(new { vin, api = SimulatorClient.CommandApi, parameters = SimulatorClient.Lock }, token, "set");
        var read = await PostAsync(new { vin, api = SimulatorClient.InformationsApi, parameters = SimulatorClient.Read }, token, "get");
        var state = await _sim.GetStateAsync(vin);

        Assert.Equal("SUCCEEDED", horn.Status);
        Assert.Equal("horn", horn.Result.GetProperty("action").GetString());
        Assert.Equal([2301, 2301, 2301], new[] { warning.ErrorCode, doors.ErrorCode, read.ErrorCode });

        // Only the horn acted: it sounded (its cooldown runs), the doors stayed unlocked.
        Assert.True(state.GetProperty("hornRecentlyUsed").GetBoolean());
        Assert.Equal("unlocked", state.GetProperty("doors").GetString());
        Assert.Equal(
            [("SUCCEEDED", (int?)null), ("FAILED", 2301), ("FAILED", 2301), ("FAILED", 2301)],
            (await _sim.GetRequestsAsync(vin)).EnumerateArray().Select(e => (
                e.GetProperty("status").GetString(),
                e.GetProperty("errorCode").ValueKind == System.Text.Json.JsonValueKind.Null ? (int?)null : e.GetProperty("errorCode").GetInt32())));
    }

    [Fact]
    public async Task With_an_expired_token_the_horn_still_answers_its_other_codes_and_an_unknown_token_still_gets_401()
    {
        var vin = TestVins.Next();
        var token = await _sim.NewTokenAsync();
        await _sim.ExpireTokensAsync();
        var body = new { vin, api = SimulatorClient.CommandApi, parameters = SimulatorClient.Horn };

        var needsOtp = await PostAsync(body, token, "set");
        await _sim.SetStateAsync(vin, new { strongAuth = new Dictionary<string, bool> { [SimulatorClient.CommandApi] = false }, engineRunning = true });
        var engineRunning = await PostAsync(body, token, "set");
        using var unknown = await _sim.PostPimsAsync(body, "made-up", verb: "set");

        Assert.Equal(2302, needsOtp.ErrorCode);
        Assert.Equal(2329, engineRunning.ErrorCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
    }

    private async Task<PimsAnswer> PostAsync(object body, string token, string verb)
    {
        using var response = await _sim.PostPimsAsync(body, token, verb: verb);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"HTTP {(int)response.StatusCode}: {text}");
        return PimsAnswer.Parse(text);
    }
}
