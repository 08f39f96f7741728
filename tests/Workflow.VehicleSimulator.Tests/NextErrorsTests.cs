using Workflow.VehicleSimulator.Tests.Support;
using Xunit;

namespace Workflow.VehicleSimulator.Tests;

/// <summary>Errors queued through <c>/_sim/vehicles/{vin}/next-errors</c>, and the step cache of 2317/2312.</summary>
public sealed class NextErrorsTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    private readonly SimulatorClient _sim = fixture.Client;

    [Theory]
    [InlineData(2317, "Step cache expired")]
    [InlineData(2312, "Strong authentication step invalid")]
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

        Assert.Equal(2319, wrongPin.ErrorCode);
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
        await _sim.QueueErrorsAsync(vin, "pims.vehicle.status", 2400, 2302);

        var first = await _sim.CallAsync(vin, "pims.vehicle.status");
        var otherApi = await _sim.CallAsync(vin, "pims.vehicle.position");
        var second = await _sim.CallAsync(vin, "pims.vehicle.status");
        var third = await _sim.CallAsync(vin, "pims.vehicle.status");

        Assert.Equal(2400, first.ErrorCode);
        Assert.Equal("Simulated error", first.ErrorLabel);
        Assert.Equal("SUCCEEDED", otherApi.Status);
        Assert.Equal(2302, second.ErrorCode);
        Assert.Equal("Need Strong Authentication", second.ErrorLabel);
        Assert.Equal("SUCCEEDED", third.Status);
    }

    [Fact]
    public async Task QueuedErrorOnStrongAuthApiDoesNotConsumeTheOtp()
    {
        var vin = TestVins.Next();
        var otp = await _sim.GetOtpAsync(vin);
        await _sim.QueueErrorsAsync(vin, "pims.remote.charge.start", 2400);

        var failed = await _sim.CallAsync(vin, "pims.remote.charge.start", otp: otp);
        var retried = await _sim.CallAsync(vin, "pims.remote.charge.start", otp: otp);

        Assert.Equal(2400, failed.ErrorCode);
        Assert.Equal("SUCCEEDED", retried.Status);
    }
}
