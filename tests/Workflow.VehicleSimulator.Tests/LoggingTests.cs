using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Workflow.VehicleSimulator.Tests.Support;
using Xunit;

namespace Workflow.VehicleSimulator.Tests;

public sealed class LoggingTests
{
    [Fact]
    public async Task LogsNeverContainThePinOrTheOtp()
    {
        var collector = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(collector)));
        await using var server = await VehicleSimulatorServer.StartAsync(new VehicleSimulatorOptions { LoggerFactory = loggerFactory }, CancellationToken.None);
        using var sim = new SimulatorClient(server.BaseAddress);
        var vin = TestVins.Next();
        const string pin = "73914682";
        const string wrongPin = "28465917";
        await sim.SetPinAsync(vin, pin);

        await sim.LockAsync(vin);
        await sim.RequestOtpAsync(vin, wrongPin);
        var otp = await sim.GetOtpAsync(vin, pin);
        await sim.LockAsync(vin, otp);

        var records = collector.GetSnapshot();
        Assert.Contains(records, r => r.Message.Contains(vin, StringComparison.Ordinal));
        var everything = string.Join(
            "\n",
            records.Select(r => r.Message + " " + string.Join(" ", r.StructuredState?.Select(kv => kv.Value) ?? [])));
        Assert.DoesNotContain(pin, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongPin, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(otp, everything, StringComparison.Ordinal);
    }
}
