using Workflow.VehicleSimulator.Tests.Support;
using Xunit;

namespace Workflow.VehicleSimulator.Tests;

public sealed class IdempotencyTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    private readonly SimulatorClient _sim = fixture.Client;

    [Fact]
    public async Task RepeatedKeyReplaysTheFirstAnswerWithoutConsumingTheOtpAgain()
    {
        var vin = TestVins.Next();
        var otp = await _sim.GetOtpAsync(vin);
        var key = Guid.NewGuid().ToString();

        var first = await _sim.LockAsync(vin, otp, idempotencyKey: key);
        var replay = await _sim.LockAsync(vin, otp, idempotencyKey: key);

        // Had the replay acted, the already used OTP would have answered 2302.
        Assert.Equal("SUCCEEDED", first.Status);
        Assert.Equal(first.Text, replay.Text);
        Assert.Equal(first.TransactionId, replay.TransactionId);
        var calls = (await _sim.GetRequestsAsync(vin)).EnumerateArray()
            .Where(e => e.GetProperty("api").GetString() == SimulatorClient.CommandApi)
            .Select(e => e.GetProperty("replayed").GetBoolean())
            .ToList();
        Assert.Equal([false, true], calls);
        Assert.True(Assert.Single((await _sim.GetOtpsAsync(vin)).EnumerateArray()).GetProperty("used").GetBoolean());
    }

    [Fact]
    public async Task ConcurrentRequestsWithTheSameKeyActOnceAndAllGetTheSameAnswer()
    {
        var vin = TestVins.Next();
        var otp = await _sim.GetOtpAsync(vin);
        var key = Guid.NewGuid().ToString();

        var answers = await Task.WhenAll(
            Enumerable.Range(0, 16).Select(_ => _sim.LockAsync(vin, otp, idempotencyKey: key)));

        Assert.Equal("SUCCEEDED", answers[0].Status);
        Assert.Single(answers.Select(a => a.Text).Distinct(StringComparer.Ordinal));
        var acted = (await _sim.GetRequestsAsync(vin)).EnumerateArray()
            .Count(e => e.GetProperty("api").GetString() == SimulatorClient.CommandApi && !e.GetProperty("replayed").GetBoolean());
        Assert.Equal(1, acted);
    }

    [Fact]
    public async Task ReplayedOtpRequestIssuesNoSecondOtp()
    {
        var vin = TestVins.Next();
        var key = Guid.NewGuid().ToString();

        var first = await _sim.RequestOtpAsync(vin, SimulatorClient.DefaultPin, idempotencyKey: key);
        var replay = await _sim.RequestOtpAsync(vin, SimulatorClient.DefaultPin, idempotencyKey: key);

        Assert.Equal(first.Text, replay.Text);
        Assert.Single((await _sim.GetOtpsAsync(vin)).EnumerateArray());
    }

    [Fact]
    public async Task SameKeyOnAnotherVinIsANewRequest()
    {
        var key = Guid.NewGuid().ToString();

        var first = await _sim.ReadAsync(TestVins.Next(), idempotencyKey: key);
        var otherVin = await _sim.ReadAsync(TestVins.Next(), idempotencyKey: key);

        Assert.NotEqual(first.TransactionId, otherVin.TransactionId);
    }

    [Fact]
    public async Task ReplayedFailureStaysAFailure()
    {
        var vin = TestVins.Next();
        var key = Guid.NewGuid().ToString();

        var first = await _sim.LockAsync(vin, idempotencyKey: key);
        var otp = await _sim.GetOtpAsync(vin);
        var replay = await _sim.LockAsync(vin, otp, idempotencyKey: key);

        Assert.Equal(2302, first.ErrorCode);
        Assert.Equal(first.Text, replay.Text);
        Assert.False(Assert.Single((await _sim.GetOtpsAsync(vin)).EnumerateArray()).GetProperty("used").GetBoolean());
    }
}
