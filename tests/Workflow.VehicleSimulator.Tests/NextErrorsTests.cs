using Workflow.VehicleSimulator.Tests.Support;
using Xunit;

namespace Workflow.VehicleSimulator.Tests;

/// <summary>Errors queued through <c>/_sim/vehicles/{vin}/next-errors</c>, and the step cache of 2317/2312.</summary>
public sealed class NextErrorsTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    private readonly SimulatorClient _sim = fixture.Client;

    [Theory]
    [InlineData(2317, "inwebo: forbidden operation (due to activated state/blocked state/upgradable state)")]
    [InlineData(2312, "inwebo: device is disabled or unknown")]
    public async Task StepCacheErrorRepeatsOnWithPinUntilResetStep(int code, string label)
    {
        var vin = TestVins.Next();
        await _sim.QueueErrorsAsync(vin, SimulatorClient.OtpApi, code);

        var first = await _sim.RequestOtpAsync(vin, SimulatorClient.DefaultPin);
        var second = await _sim.RequestOtpAsync(vin, SimulatorClient.DefaultPin);
        var third = await _sim.RequestOtpAsync(vin, SimulatorClient.DefaultPin);
        var reset = await _sim.RequestOtpAsync(vin, SimulatorClient.DefaultPin, resetStep: true);
        var afterReset = await _sim.RequestOtpAsync(vin, SimulatorClient.DefaultPin);

        Assert.All([first, second, third], answer =>
        {
            Assert.Equal("FAILED", answer.Status);
            Assert.Equal(code, answer.ErrorCode);
            Assert.Equal(label, answer.ErrorLabel);
        });
        Assert.Equal("SUCCEEDED", reset.Status);
        Assert.False(string.IsNullOrEmpty(reset.Result.GetProperty("otp").GetString()));
        Assert.Equal("SUCCEEDED", afterReset.Status);
    }

    [Fact]
    public async Task ResetStepStillChecksThePin()
    {
        var vin = TestVins.Next();
        await _sim.QueueErrorsAsync(vin, SimulatorClient.OtpApi, 2317);
        await _sim.RequestOtpAsync(vin, SimulatorClient.DefaultPin);

        var wrongPin = await _sim.RequestOtpAsync(vin, "999999", resetStep: true);
        var rightPin = await _sim.RequestOtpAsync(vin, SimulatorClient.DefaultPin);

        Assert.Equal(2308, wrongPin.ErrorCode);
        Assert.Equal("SUCCEEDED", rightPin.Status);
    }

    [Fact]
    public async Task QueuedStepCacheErrorsFailEvenWithResetStepUntilTheQueueIsEmpty()
    {
        var vin = TestVins.Next();
        await _sim.QueueErrorsAsync(vin, SimulatorClient.OtpApi, 2317, 2312);

        var first = await _sim.RequestOtpAsync(vin, SimulatorClient.DefaultPin);
        var resetButQueued = await _sim.RequestOtpAsync(vin, SimulatorClient.DefaultPin, resetStep: true);
        var staleWithoutReset = await _sim.RequestOtpAsync(vin, SimulatorClient.DefaultPin);
        var reset = await _sim.RequestOtpAsync(vin, SimulatorClient.DefaultPin, resetStep: true);

        Assert.Equal(2317, first.ErrorCode);
        Assert.Equal(2312, resetButQueued.ErrorCode);
        Assert.Equal(2312, staleWithoutReset.ErrorCode);
        Assert.Equal("SUCCEEDED", reset.Status);
    }

    [Fact]
    public async Task QueuedErrorsAnswerInOrderThenTheApiBehavesNormally()
    {
        var vin = TestVins.Next();
        await _sim.QueueErrorsAsync(vin, SimulatorClient.InformationsApi, 2400, 2204);

        var first = await _sim.ReadAsync(vin);
        var otherApi = await _sim.RequestOtpAsync(vin, SimulatorClient.DefaultPin);
        var second = await _sim.ReadAsync(vin);
        var third = await _sim.ReadAsync(vin);

        Assert.Equal(2400, first.ErrorCode);
        Assert.Equal("Simulated error", first.ErrorLabel);
        Assert.Equal("SUCCEEDED", otherApi.Status);
        Assert.Equal(2204, second.ErrorCode);
        Assert.Equal("Server Error", second.ErrorLabel);
        Assert.Equal("SUCCEEDED", third.Status);
    }

    [Fact]
    public async Task QueuedErrorOnARemoteCommandDoesNotConsumeTheOtp()
    {
        var vin = TestVins.Next();
        var otp = await _sim.GetOtpAsync(vin);
        await _sim.QueueErrorsAsync(vin, SimulatorClient.CommandApi, 2400);

        var failed = await _sim.LockAsync(vin, otp);
        var retried = await _sim.LockAsync(vin, otp);

        Assert.Equal(2400, failed.ErrorCode);
        Assert.Equal("SUCCEEDED", retried.Status);
    }

    [Theory]
    [InlineData(2201)]
    [InlineData(2202)]
    [InlineData(2204)]
    [InlineData(2314)]
    [InlineData(2377)]
    [InlineData(2353)]
    [InlineData(2364)]
    public async Task TransientAndBusyAnswersAreNotRememberedSoTheSameKeyIsProcessedAgain(int code)
    {
        var vin = TestVins.Next();
        var otp = await _sim.GetOtpAsync(vin);
        await _sim.QueueErrorsAsync(vin, SimulatorClient.CommandApi, code);

        var refused = await _sim.LockAsync(vin, otp, idempotencyKey: "key-1");
        var retried = await _sim.LockAsync(vin, otp, idempotencyKey: "key-1");
        var replayed = await _sim.LockAsync(vin, otp, idempotencyKey: "key-1");

        Assert.Equal(code, refused.ErrorCode);
        Assert.Equal("SUCCEEDED", retried.Status);
        Assert.Equal(retried.Text, replayed.Text);
    }

    [Fact]
    public async Task OtherFailuresAreRememberedUnderTheirKey()
    {
        var vin = TestVins.Next();
        await _sim.QueueErrorsAsync(vin, SimulatorClient.InformationsApi, 2000);

        var first = await _sim.ReadAsync(vin, idempotencyKey: "key-1");
        var replay = await _sim.ReadAsync(vin, idempotencyKey: "key-1");

        Assert.Equal(2000, first.ErrorCode);
        Assert.Equal(first.Text, replay.Text);
    }
}
