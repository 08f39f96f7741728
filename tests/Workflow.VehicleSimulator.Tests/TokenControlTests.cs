using System.Net;
using Workflow.VehicleSimulator.Tests.Support;
using Workflow.VehicleSimulator.Control;
using Xunit;

namespace Workflow.VehicleSimulator.Tests;

/// <summary>Own class (and server): <c>POST /_sim/tokens/expire</c> expires every token of the server.</summary>
public sealed class TokenControlTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    [Fact]
    public async Task Expiring_the_tokens_makes_the_next_call_answer_2301_and_unknown_tokens_still_get_401()
    {
        var sim = fixture.Client;
        var token = await sim.NewTokenAsync();
        var body = new { vin = TestVins.Next(), api = SimulatorClient.InformationsApi, parameters = SimulatorClient.Read };

        await sim.ExpireTokensAsync();
        using var expired = await sim.PostPimsAsync(body, token);
        using var unknown = await sim.PostPimsAsync(body, "made-up");
        using var fresh = await sim.PostPimsAsync(body, await sim.NewTokenAsync());

        Assert.Equal(2301, PimsAnswer.Parse(await expired.Content.ReadAsStringAsync()).ErrorCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal("SUCCEEDED", PimsAnswer.Parse(await fresh.Content.ReadAsStringAsync()).Status);
    }

    [Fact]
    public async Task ControlClientExpiresTokens()
    {
        var control = new VehicleSimulatorControlClient(fixture.Client.Http);
        var vin = TestVins.Next();
        await fixture.Client.ReadAsync(vin);

        await control.ExpireTokensAsync();
        var expired = await fixture.Client.ReadAsync(vin);

        Assert.Equal(2301, expired.ErrorCode);
    }
}
