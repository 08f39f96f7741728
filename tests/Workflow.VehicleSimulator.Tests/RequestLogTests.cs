using System.Text.Json;
using Workflow.VehicleSimulator.Tests.Support;
using Xunit;

namespace Workflow.VehicleSimulator.Tests;

public sealed class RequestLogTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    private readonly SimulatorClient _sim = fixture.Client;

    [Fact]
    public async Task RequestLogRecordsEveryCallOfTheVinWithItsOutcome()
    {
        var vin = TestVins.Next();
        var key = Guid.NewGuid().ToString();
        using (await _sim.PostPimsAsync(new { vin, api = SimulatorClient.CommandApi, parameters = SimulatorClient.Lock }, token: null, verb: "set"))
        {
        }

        await _sim.LockAsync(vin);
        var otp = await _sim.GetOtpAsync(vin);
        await _sim.LockAsync(vin, otp, idempotencyKey: key);
        await _sim.LockAsync(vin, otp, idempotencyKey: key);

        var log = (await _sim.GetRequestsAsync(vin)).EnumerateArray().ToList();
        Assert.Equal(5, log.Count);
        AssertEntry(log[0], vin, SimulatorClient.CommandApi, hasOtp: false, null, replayed: false, 401, null, null);
        AssertEntry(log[1], vin, SimulatorClient.CommandApi, hasOtp: false, null, replayed: false, 200, "FAILED", 2302);
        AssertEntry(log[2], vin, SimulatorClient.OtpApi, hasOtp: false, null, replayed: false, 200, "SUCCEEDED", null);
        AssertEntry(log[3], vin, SimulatorClient.CommandApi, hasOtp: true, key, replayed: false, 200, "SUCCEEDED", null);
        AssertEntry(log[4], vin, SimulatorClient.CommandApi, hasOtp: true, key, replayed: true, 200, "SUCCEEDED", null);
        Assert.All(log, e => Assert.Equal(SimulatorFixture.Start, e.GetProperty("at").GetDateTimeOffset()));
        Assert.Equal(["set", "set", "get", "set", "set"], log.Select(e => e.GetProperty("verb").GetString()));
    }

    [Fact]
    public async Task RequestLogNeverContainsThePinOrTheOtp()
    {
        var vin = TestVins.Next();
        const string pin = "90817263";
        await _sim.SetPinAsync(vin, pin);
        await _sim.RequestOtpAsync(vin, "81726354");
        var otp = await _sim.GetOtpAsync(vin, pin);
        await _sim.LockAsync(vin, otp);

        var text = await _sim.GetRequestsTextAsync();

        Assert.Contains(vin, text, StringComparison.Ordinal);
        Assert.DoesNotContain(pin, text, StringComparison.Ordinal);
        Assert.DoesNotContain("81726354", text, StringComparison.Ordinal);
        Assert.DoesNotContain(otp, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestLogFiltersByVin()
    {
        var vin = TestVins.Next();
        var other = TestVins.Next();
        await _sim.ReadAsync(vin);
        await _sim.ReadAsync(other);

        var filtered = (await _sim.GetRequestsAsync(vin)).EnumerateArray().ToList();
        var all = (await _sim.GetRequestsAsync()).EnumerateArray().Select(e => e.GetProperty("vin").GetString()).ToList();

        Assert.Equal(vin, Assert.Single(filtered).GetProperty("vin").GetString());
        Assert.Contains(vin, all);
        Assert.Contains(other, all);
    }

    private static void AssertEntry(
        JsonElement entry, string vin, string api, bool hasOtp, string? idempotencyKey, bool replayed, int httpStatus, string? status, int? errorCode)
    {
        Assert.Equal(vin, entry.GetProperty("vin").GetString());
        Assert.Equal(api, entry.GetProperty("api").GetString());
        Assert.Equal(hasOtp, entry.GetProperty("hasOtp").GetBoolean());
        Assert.Equal(idempotencyKey, entry.GetProperty("idempotencyKey").GetString());
        Assert.Equal(replayed, entry.GetProperty("replayed").GetBoolean());
        Assert.Equal(httpStatus, entry.GetProperty("httpStatus").GetInt32());
        Assert.Equal(status, entry.GetProperty("status").GetString());
        Assert.Equal(errorCode, entry.GetProperty("errorCode") is { ValueKind: JsonValueKind.Number } code ? code.GetInt32() : null);
    }
}
