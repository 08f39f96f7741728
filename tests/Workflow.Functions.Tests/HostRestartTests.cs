using System.Net;
using System.Text.Json;
using Workflow.Functions.Tests.Support;
using Workflow.Testing.Vins;
using Workflow.VehicleSimulator.State;

namespace Workflow.Functions.Tests;

/// <summary>A host of its own (its own task hub and simulator), with PIN waits long enough to outlast a crash and a restart.</summary>
public sealed class RestartHostFixture : FunctionsHostFixture
{
    public override TimeSpan PinTimeout => TimeSpan.FromMinutes(10);
}

/// <summary>
/// A crash in the middle of a PIN wait. The host refuses queue visibility timeouts under one minute and the repository's
/// host.json sets them to one minute, so messages a dead host had taken may take that long to come back: this one test may
/// take a minute or two, within bounded deadlines. It runs in parallel with the shared host's tests.
/// </summary>
public sealed class HostRestartTests(RestartHostFixture fixture) : IClassFixture<RestartHostFixture>
{
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task ACommandAwaitingItsPinSurvivesAKill9OfHostAndWorkerAndCompletesOnceUnderANewHost()
    {
        const string api = "pims.vehicle.command";
        string vin = TestVins.New();
        StartedCommand command;
        using (CommandsClient commands = fixture.Commands)
        {
            command = await commands.StartAsync(vin, api, new { action = "doors", doorState = "lock" });
            await commands.WaitForStageAsync(command, "AwaitingPin");
        }

        // Host and worker share the host's process group; SIGKILL to the group, no chance to clean up.
        FunctionsHost crashed = fixture.Host;
        IReadOnlyList<int> processes = crashed.GroupProcessIds();
        Assert.Contains(processes, p => ProcessGroup.CommandLine(p).Contains("Workflow.Functions.dll", StringComparison.Ordinal));
        Assert.Contains(crashed.ProcessId, processes);
        await crashed.KillAsync();
        Assert.DoesNotContain(processes, ProcessGroup.IsAlive);

        FunctionsHost restarted = await fixture.StartHostAsync();
        Assert.NotEqual(crashed.ProcessId, restarted.ProcessId);

        // The PIN link handed out by the dead host works on the new one (relative links, same keys, same data key).
        var pinUri = new Uri(restarted.BaseAddress, command.PinUri.PathAndQuery);
        var statusUri = new Uri(restarted.BaseAddress, command.StatusUri.PathAndQuery);
        var resumed = command with { StatusUri = statusUri, PinUri = pinUri };
        using (CommandsClient commands = fixture.Commands)
        {
            await commands.WaitForStageAsync(resumed, "AwaitingPin", timeout: RecoveryTimeout);
            Assert.Equal(HttpStatusCode.Accepted, await commands.SubmitPinAsync(resumed, fixture.RightPin));
            JsonElement output = (await commands.WaitForFinishAsync(resumed, RecoveryTimeout)).GetProperty("output");

            Assert.Equal("Succeeded", output.GetProperty("outcome").GetString());
            Assert.Equal(1, output.GetProperty("pinAttemptsUsed").GetInt32());
        }

        // Exactly one call carried an OTP, and it succeeded: the command acted on the vehicle once.
        IReadOnlyList<RequestLogEntry> log = await fixture.SimulatorControl.GetRequestsAsync(vin);
        RequestLogEntry retried = Assert.Single(log, e => e.Api == api && e.HasOtp);
        Assert.Equal(("SUCCEEDED", false), (retried.Status, retried.Replayed));
        Assert.Single(log, e => e.Api == api && e.Status == "SUCCEEDED");
    }
}
