using Workflow.VehicleSimulator.Tests.Support;
using Xunit;

namespace Workflow.VehicleSimulator.Tests;

/// <summary>The behaviour the seeds describe, on the spec's APIs: 2302, then an OTP withPIN, then the same call with the OTP.</summary>
public sealed class StrongAuthenticationTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    private readonly SimulatorClient _sim = fixture.Client;

    [Fact]
    public async Task ReadingTheVehicleNeedsNoOtpAndAnswersItsState()
    {
        var vin = TestVins.Next();

        var answer = await _sim.ReadAsync(vin);

        Assert.Equal("SUCCEEDED", answer.Status);
        Assert.False(string.IsNullOrEmpty(answer.TransactionId));
        Assert.Equal(vin, answer.Result.GetProperty("vin").GetString());
        Assert.Equal(SimulatorClient.InformationsApi, answer.Result.GetProperty("api").GetString());
        Assert.Equal("unlocked", answer.Result.GetProperty("vehicle").GetProperty("doors").GetString());
        Assert.False(answer.Root.TryGetProperty("error", out _));
    }

    [Fact]
    public async Task RemoteCommandWithoutOtpFailsWith2302NeedStrongAuthentication()
    {
        var answer = await _sim.LockAsync(TestVins.Next());

        Assert.Equal("FAILED", answer.Status);
        Assert.Equal(2302, answer.ErrorCode);
        Assert.Equal("Need Strong Authentication", answer.ErrorLabel);
        Assert.False(answer.Root.TryGetProperty("result", out _));
    }

    [Fact]
    public async Task FullDanceSucceedsOnceAndTheOtpCannotBeReused()
    {
        var vin = TestVins.Next();

        var refused = await _sim.LockAsync(vin);
        var otpAnswer = await _sim.RequestOtpAsync(vin, SimulatorClient.DefaultPin);
        var otp = otpAnswer.Result.GetProperty("otp").GetString()!;
        var executed = await _sim.LockAsync(vin, otp);
        var reused = await _sim.CallAsync(vin, SimulatorClient.CommandApi, SimulatorClient.Unlock, otp);

        Assert.Equal(2302, refused.ErrorCode);
        Assert.Equal("SUCCEEDED", otpAnswer.Status);
        Assert.True(otp.Length >= 8, "An OTP has at least 8 characters.");
        Assert.Equal("SUCCEEDED", executed.Status);
        Assert.Equal("doors", executed.Result.GetProperty("action").GetString());
        Assert.Equal("lock", executed.Result.GetProperty("parameters").GetProperty("doorState").GetString());
        Assert.Equal(vin, executed.Result.GetProperty("vin").GetString());
        Assert.Equal(2302, reused.ErrorCode);
        Assert.Equal("locked", (await _sim.GetStateAsync(vin)).GetProperty("doors").GetString());
    }

    [Fact]
    public async Task OtpIssuedForAnotherVinIsRefusedWith2302()
    {
        var otp = await _sim.GetOtpAsync(TestVins.Next());

        var answer = await _sim.LockAsync(TestVins.Next(), otp);

        Assert.Equal(2302, answer.ErrorCode);
    }

    [Fact]
    public async Task WrongPinFailsWith2308AccessRefused()
    {
        var answer = await _sim.RequestOtpAsync(TestVins.Next(), "000000");

        Assert.Equal("FAILED", answer.Status);
        Assert.Equal(2308, answer.ErrorCode);
        Assert.Equal("inwebo: access refused", answer.ErrorLabel);
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

        Assert.Equal(2308, defaultPinOnOverridden.ErrorCode);
        Assert.Equal("SUCCEEDED", overridePin.Status);
        Assert.Equal("SUCCEEDED", defaultPinOnOther.Status);
    }

    [Fact]
    public async Task OtpRequestWithoutWithPinOrPinCodeFailsWith2101Or2102NamingTheParameter()
    {
        var missingAction = await _sim.CallAsync(TestVins.Next(), SimulatorClient.OtpApi, new { pinCode = "123456" });
        var otherAction = await _sim.CallAsync(TestVins.Next(), SimulatorClient.OtpApi, new { action = "withBiometrics" });
        var missingPin = await _sim.CallAsync(TestVins.Next(), SimulatorClient.OtpApi, new { action = "withPIN" });

        Assert.Equal((2101, "Missing action parameter"), (missingAction.ErrorCode, missingAction.ErrorLabel));
        Assert.Equal((2102, "Invalid action parameter"), (otherAction.ErrorCode, otherAction.ErrorLabel));
        Assert.Equal((2101, "Missing pinCode parameter"), (missingPin.ErrorCode, missingPin.ErrorLabel));
    }

    [Fact]
    public async Task EveryAnswerHasItsOwnTransactionId()
    {
        var vin = TestVins.Next();

        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await _sim.ReadAsync(vin)).TransactionId);
            ids.Add((await _sim.LockAsync(vin)).TransactionId);
        }

        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task WhichCallsNeedAnOtpIsAPerVehicleAndPerActionSetting()
    {
        var vin = TestVins.Next();
        var other = TestVins.Next();
        await _sim.SetStateAsync(vin, new { strongAuth = new Dictionary<string, bool> { ["pims.vehicle.command:horn"] = false, ["pims.vehicle.informations:refresh"] = true } });

        var horn = await _sim.CallAsync(vin, SimulatorClient.CommandApi, SimulatorClient.Horn);
        var doors = await _sim.LockAsync(vin);
        var refresh = await _sim.CallAsync(vin, SimulatorClient.InformationsApi, new { actionType = "remote", action = "refresh" });
        var get = await _sim.ReadAsync(vin);
        var hornElsewhere = await _sim.CallAsync(other, SimulatorClient.CommandApi, SimulatorClient.Horn);

        Assert.Equal("SUCCEEDED", horn.Status);
        Assert.Equal(2302, doors.ErrorCode);
        Assert.Equal(2302, refresh.ErrorCode);
        Assert.Equal("SUCCEEDED", get.Status);
        Assert.Equal(2302, hornElsewhere.ErrorCode);
        Assert.False((await _sim.GetStateAsync(vin)).GetProperty("strongAuth").GetProperty("pims.vehicle.command:horn").GetBoolean());
    }
}
