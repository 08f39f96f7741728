using Microsoft.Extensions.Logging.Testing;
using Workflow.Durable;
using Workflow.Vehicles.Tests.Infrastructure;

namespace Workflow.Vehicles.Tests;

/// <summary>The PIN and the OTP never show in clear anywhere the orchestration writes: status, output, history, logs.</summary>
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
        await _host.Simulator.QueueErrorsAsync(vin, "pims.remote.charging.start", [2302, 2302]);
        string id = await _host.StartCommandAsync(vin, "pims.remote.charging.start", new { level = 80 });
        var statuses = new List<string>();

        await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);
        statuses.Add((await _host.Client.GetInstanceAsync(id))!.SerializedCustomStatus!);
        await _host.SubmitPinAsync(id, wrongPin);
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 2);
        statuses.Add((await _host.Client.GetInstanceAsync(id))!.SerializedCustomStatus!);
        await _host.SubmitPinAsync(id, pin);
        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);
        Assert.Equal(VehicleCommandOutcome.Succeeded, result.Outcome);

        OrchestrationMetadata metadata = (await _host.Client.GetInstanceAsync(id, getInputsAndOutputs: true, getHistory: true))!;
        IReadOnlyList<string> otps = [.. (await _host.Simulator.GetOtpsAsync(vin)).Select(o => o.Otp)];
        Assert.Equal(2, otps.Count);

        var written = new List<string?>(statuses) { metadata.SerializedCustomStatus, metadata.SerializedOutput, metadata.SerializedInput };
        foreach (OrchestrationHistoryEvent e in metadata.History!)
        {
            written.Add(e.Name);
            written.Add(e.SerializedPayload);
            written.Add(e.Failure?.ErrorMessage);
            written.Add(e.Failure?.StackTrace);
        }

        // The sealed PIN did travel through history: that is what must not be readable.
        Assert.Contains(metadata.History!, e => e.EventType == "EventRaised" && e.SerializedPayload!.Contains("sealedPin", StringComparison.Ordinal));

        IReadOnlyList<FakeLogRecord> logs = _host.Logs.GetSnapshot();
        Assert.NotEmpty(logs);
        written.AddRange(logs.Select(l => l.Message));
        written.AddRange(logs.SelectMany(l => l.StructuredState ?? []).Select(kv => kv.Value));
        written.AddRange(logs.Select(l => l.Exception?.ToString()));

        foreach (string secret in otps.Append(pin).Append(wrongPin))
        {
            Assert.DoesNotContain(written, text => text?.Contains(secret, StringComparison.Ordinal) == true);
        }
    }
}
