using System.Net;
using Workflow.VehicleSimulator.Tests.Support;
using Xunit;

namespace Workflow.VehicleSimulator.Tests;

/// <summary>Separate class (and server) because it moves the clock past every token's lifetime.</summary>
public sealed class TokenExpiryTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    [Fact]
    public async Task ExpiredBearerTokenIsRejectedWith401AndAnInvalidTokenChallenge()
    {
        var sim = fixture.Client;
        var token = await sim.NewTokenAsync();
        var body = new { vin = TestVins.Next(), api = "pims.vehicle.status" };
        using (var before = await sim.PostPimsAsync(body, token))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        fixture.Time.Advance(fixture.Server.Options.TokenLifetime);

        using var after = await sim.PostPimsAsync(body, token);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        var challenge = Assert.Single(after.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains("invalid_token", challenge.Parameter, StringComparison.Ordinal);
    }
}
