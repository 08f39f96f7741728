using System.Net;
using Workflow.VehicleSimulator.Tests.Support;
using Xunit;

namespace Workflow.VehicleSimulator.Tests;

/// <summary>Separate class (and server) because it moves the clock past every token's lifetime.</summary>
public sealed class TokenExpiryTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    [Fact]
    public async Task An_expired_bearer_token_gets_2301_Need_Basic_Authentication_and_nothing_is_done()
    {
        var sim = fixture.Client;
        var token = await sim.NewTokenAsync();
        var vin = TestVins.Next();
        var body = new { vin, api = SimulatorClient.InformationsApi, parameters = SimulatorClient.Read };
        using (var before = await sim.PostPimsAsync(body, token))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        fixture.Time.Advance(fixture.Server.Options.TokenLifetime);

        using var after = await sim.PostPimsAsync(body, token, idempotencyKey: "k-1");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        var answer = PimsAnswer.Parse(await after.Content.ReadAsStringAsync());
        Assert.Equal(("FAILED", 2301, "Need Basic Authentication (to get CVS token)"), (answer.Status, answer.ErrorCode, answer.ErrorLabel));

        // Not remembered under the key: with a new token the same key is processed.
        using var renewed = await sim.PostPimsAsync(body, await sim.NewTokenAsync(), idempotencyKey: "k-1");
        Assert.Equal("SUCCEEDED", PimsAnswer.Parse(await renewed.Content.ReadAsStringAsync()).Status);
    }
}
