using Workflow.VehicleSimulator.Tests.Support;
using Xunit;

namespace Workflow.VehicleSimulator.Tests;

/// <summary>The behaviour the seeds describe: 2302, then an OTP withPIN, then the same call with the OTP.</summary>
public sealed class StrongAuthenticationTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    private readonly SimulatorClient _sim = fixture.Client;

    [Fact]
    public async Task PlainApiSucceedsWithAResultForThatVin()
    {
        var vin = TestVins.Next();

        var answer = await _sim.CallAsync(vin, "pims.vehicle.status", new { detail = "battery" });

        Assert.Equal("SUCCEEDED", answer.Status);
        Assert.False(string.IsNullOrEmpty(answer.TransactionId));
        Assert.Equal(vin, answer.Result.GetProperty("vin").GetString());
        Assert.Equal("pims.vehicle.status", answer.Result.GetProperty("api").GetString());
        Assert.False(answer.Root.TryGetProperty("error", out _));
    }

    [Fact]
    public async Task StrongAuthApiWithoutOtpFailsWith2302NeedStrongAuthentication()
    {
        var answer = await _sim.CallAsync(TestVins.Next(), "pims.remote.door.lock");

        Assert.Equal("FAILED", answer.Status);
        Assert.Equal(2302, answer.ErrorCode);
        Assert.Equal("Need Strong Authentication", answer.ErrorLabel);
        Assert.False(answer.Root.TryGetProperty("result", out _));
    }

    [Fact]
    public async Task FullDanceSucceedsOnceAndTheOtpCannotBeReused()
    {
        var vin = TestVins.Next();
        const string api = "pims.remote.door.lock";

        var refused = await _sim.CallAsync(vin, api);
        var otpAnswer = await _sim.RequestOtpAsync(vin, SimulatorClient.DefaultPin);
        var otp = otpAnswer.Result.GetProperty("otp").GetString()!;
        var executed = await _sim.CallAsync(vin, api, otp: otp);
        var reused = await _sim.CallAsync(vin, api, otp: otp);

        Assert.Equal(2302, refused.ErrorCode);
        Assert.Equal("SUCCEEDED", otpAnswer.Status);
        Assert.True(otp.Length >= 8, "An OTP has at least 8 characters.");
        Assert.Equal("SUCCEEDED", executed.Status);
        Assert.Equal("executed", executed.Result.GetProperty("action").GetString());
        Assert.Equal(vin, executed.Result.GetProperty("vin").GetString());
        Assert.Equal(api, executed.Result.GetProperty("api").GetString());
        Assert.Equal(2302, reused.ErrorCode);
    }

    [Fact]
    public async Task OtpIssuedForAnotherVinIsRefusedWith2302()
    {
        var otp = await _sim.GetOtpAsync(TestVins.Next());

        var answer = await _sim.CallAsync(TestVins.Next(), "pims.remote.door.lock", otp: otp);

        Assert.Equal(2302, answer.ErrorCode);
    }

    [Fact]
    public async Task WrongPinFailsWith2319InvalidPinCode()
    {
        var answer = await _sim.RequestOtpAsync(TestVins.Next(), "000000");

        Assert.Equal("FAILED", answer.Status);
        Assert.Equal(2319, answer.ErrorCode);
        Assert.Equal("Invalid PIN code", answer.ErrorLabel);
    }

    [Fact]
    public async Task PerVinPinOverrideAppliesToThatVinOnly()
    {
        var vin = TestVins.Next();
        var other = TestVins.Next();
        await _sim.SetPinAsync(vin, "4321");

        var defaultPinOnOverridden = await _sim.RequestOtpAsync(vin, SimulatorClient.DefaultPin);
        var overridePin = await _sim.RequestOtpAsync(vin, "4321");
        var defaultPinOnOther = await _sim.RequestOtpAsync(other, SimulatorClient.DefaultPin);

        Assert.Equal(2319, defaultPinOnOverridden.ErrorCode);
        Assert.Equal("SUCCEEDED", overridePin.Status);
        Assert.Equal("SUCCEEDED", defaultPinOnOther.Status);
    }

    [Fact]
    public async Task OtpRequestWithoutWithPinActionFailsWith2300InvalidParameters()
    {
        var missingAction = await _sim.CallAsync(TestVins.Next(), SimulatorClient.OtpApi, new { pinCode = "123456" });
        var otherAction = await _sim.CallAsync(TestVins.Next(), SimulatorClient.OtpApi, new { action = "withBiometrics" });
        var missingPin = await _sim.CallAsync(TestVins.Next(), SimulatorClient.OtpApi, new { action = "withPIN" });

        Assert.All(
            [missingAction, otherAction, missingPin],
            answer =>
            {
                Assert.Equal(2300, answer.ErrorCode);
                Assert.Equal("Invalid parameters", answer.ErrorLabel);
            });
    }

    [Fact]
    public async Task EveryAnswerHasItsOwnTransactionId()
    {
        var vin = TestVins.Next();

        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await _sim.CallAsync(vin, "pims.vehicle.status")).TransactionId);
            ids.Add((await _sim.CallAsync(vin, "pims.remote.door.lock")).TransactionId);
        }

        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }
}
