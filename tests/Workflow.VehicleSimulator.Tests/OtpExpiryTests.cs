using Workflow.VehicleSimulator.Tests.Support;
using Xunit;

namespace Workflow.VehicleSimulator.Tests;

/// <summary>Own class (and server) because it moves the clock.</summary>
public sealed class OtpExpiryTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    private readonly SimulatorClient _sim = fixture.Client;

    [Fact]
    public async Task OtpIsAcceptedUntilItsLifetimeEnds()
    {
        var vin = TestVins.Next();
        var otp = await _sim.GetOtpAsync(vin);

        fixture.Time.Advance(fixture.Server.Options.OtpLifetime - TimeSpan.FromSeconds(1));
        var answer = await _sim.LockAsync(vin, otp);

        Assert.Equal("SUCCEEDED", answer.Status);
    }

    [Fact]
    public async Task OtpIsRefusedWith2302OnceItsLifetimeHasPassed()
    {
        var vin = TestVins.Next();
        var otp = await _sim.GetOtpAsync(vin);

        fixture.Time.Advance(fixture.Server.Options.OtpLifetime);
        var answer = await _sim.LockAsync(vin, otp);

        Assert.Equal(2302, answer.ErrorCode);
        var issued = Assert.Single((await _sim.GetOtpsAsync(vin)).EnumerateArray());
        Assert.False(issued.GetProperty("used").GetBoolean());
    }

    [Fact]
    public async Task IssuedOtpIsListedWithItsLifetime()
    {
        var vin = TestVins.Next();
        var now = fixture.Time.GetUtcNow();

        var otp = await _sim.GetOtpAsync(vin);

        var issued = Assert.Single((await _sim.GetOtpsAsync(vin)).EnumerateArray());
        Assert.Equal(vin, issued.GetProperty("vin").GetString());
        Assert.Equal(otp, issued.GetProperty("otp").GetString());
        Assert.Equal(now, issued.GetProperty("issuedAt").GetDateTimeOffset());
        Assert.Equal(now + fixture.Server.Options.OtpLifetime, issued.GetProperty("expiresAt").GetDateTimeOffset());
        Assert.False(issued.GetProperty("used").GetBoolean());
    }
}
