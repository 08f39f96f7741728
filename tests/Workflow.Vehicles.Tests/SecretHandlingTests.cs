using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging.Testing;
using Workflow.Vehicles.Tests.Infrastructure;

namespace Workflow.Vehicles.Tests;

/// <summary>The PIN and the OTP never show in clear anywhere the orchestration writes: status, input, output, history payloads, logs.</summary>
public sealed class SecretHandlingTests(DefaultWorkflowFixture fixture) : IClassFixture<DefaultWorkflowFixture>
{
    private readonly VehicleWorkflowHost _host = fixture.Host;

    [Fact]
    public async Task Neither_pins_nor_otps_appear_in_status_output_history_or_logs()
    {
        // Eight digits, so that they cannot turn up by chance inside a GUID, a timestamp or a ciphertext.
        const string pin = "80734215";
        const string wrongPin = "61528093";
        string vin = TestVins.New();
        await _host.Simulator.SetPinAsync(vin, pin);

        // Two OTPs: the first retry is refused with 2302, so a second OTP round runs.
        await _host.Simulator.QueueErrorsAsync(vin, VehicleWorkflowHost.CommandApi, [2302, 2302]);
        string id = await _host.StartCommandAsync(vin, VehicleWorkflowHost.CommandApi, new { action = "charge", startNow = true });
        var statuses = new List<string?>();

        await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);
        statuses.Add((await _host.Client.GetInstanceAsync(id))!.SerializedCustomStatus);
        await _host.SubmitPinAsync(id, wrongPin);
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 2);
        statuses.Add((await _host.Client.GetInstanceAsync(id))!.SerializedCustomStatus);
        await _host.SubmitPinAsync(id, pin);
        (OrchestrationMetadata metadata, VehicleCommandResult result) = await _host.WaitForResultAsync(id);
        Assert.Equal(VehicleCommandOutcome.Succeeded, result.Outcome);
        Assert.Equal(3, result.PinAttemptsUsed);

        IReadOnlyList<string> otps = [.. (await _host.Simulator.GetOtpsAsync(vin)).Select(o => o.Otp)];
        Assert.Equal(2, otps.Count);

        var written = new List<string?>(statuses) { metadata.SerializedCustomStatus, metadata.SerializedOutput, metadata.SerializedInput };

        // Every payload that went into history: orchestration input and output, activity inputs and outputs,
        // event data, custom status. The sealed PINs and OTPs did travel through it, inside the encrypted payloads: that
        // is what must not be readable, neither in the stored form nor in the JSON before its encryption.
        IReadOnlyList<string> clear = _host.ClearPayloads;
        written.AddRange(_host.Payloads);
        written.AddRange(clear);
        Assert.Contains(clear, p => p.Contains("\"sealedPin\"", StringComparison.Ordinal) && p.Contains(vin, StringComparison.Ordinal));
        Assert.Contains(clear, p => p.Contains("\"sealedOtp\":\"", StringComparison.Ordinal) && p.Contains(vin, StringComparison.Ordinal));
        Assert.All(_host.Payloads, p => Assert.DoesNotContain(vin, p, StringComparison.Ordinal));

        IReadOnlyList<FakeLogRecord> logs = _host.Logs.GetSnapshot();
        Assert.Contains(logs, l => l.Message.Contains(id, StringComparison.Ordinal));
        written.AddRange(logs.Select(l => l.Message));
        written.AddRange(logs.SelectMany(l => l.StructuredState ?? []).Select(kv => kv.Value));
        written.AddRange(logs.Select(l => l.Exception?.ToString()));

        foreach (string secret in otps.Append(pin).Append(wrongPin))
        {
            Assert.DoesNotContain(written, text => text?.Contains(secret, StringComparison.Ordinal) == true);
        }
    }
}
