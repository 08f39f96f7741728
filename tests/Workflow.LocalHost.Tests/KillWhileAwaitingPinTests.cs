using System.Diagnostics;
using Workflow.LocalHost.Tests.Support;
using Workflow.Testing;
using Workflow.VehicleSimulator.State;

namespace Workflow.LocalHost.Tests;

/// <summary>
/// kill -9 of the local host while a command waits for its PIN: nothing is handed back, no lease released. The same
/// local host (same arguments, so the same hub on the same storage) started again takes the PIN and finishes the command.
/// </summary>
public sealed class KillWhileAwaitingPinTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_command_awaiting_its_pin_survives_kill_9_and_after_a_restart_on_the_same_hub_takes_the_pin_and_completes_once()
    {
        await using ChildHostRig rig = await ChildHostRig.StartAsync("KillAwaiting");
        (LocalHostProcess first, LocalHostSettings settings) = await rig.StartNewHostAsync();
        using var api = new CommandsClient(settings.BaseAddress, settings.FunctionKey);
        string vin = TestVins.New();
        StartedCommand started = await api.StartAsync(TestCommands.StrongAuth(vin));
        await api.WaitForStageAsync(started.StatusQueryGetUri, "AwaitingPin");

        await ChildHostRig.KillAsync(first);
        long restart = Stopwatch.GetTimestamp();
        await rig.StartHostAsync(settings);
        TimeSpan ready = Clock.Since(restart);

        CommandStatus stillWaiting = await api.GetStatusAsync(started.StatusQueryGetUri);
        Assert.Equal(("Running", "AwaitingPin"), (stillWaiting.RuntimeStatus, stillWaiting.Stage));
        await api.DeliverPinAsync(started.PinPostUri, LocalHostFixture.DefaultPin);
        CommandStatus finished;
        try
        {
            finished = await api.WaitForFinishedAsync(started.StatusQueryGetUri);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}\n{rig.Outputs()}", ex);
        }

        output.WriteLine($"restarted host ready after {ready.TotalSeconds:F1} s; command finished {Clock.Since(restart).TotalSeconds:F1} s after the restart");
        Assert.Equal("Completed", finished.RuntimeStatus);
        Assert.Equal("Succeeded", finished.Outcome);
        Assert.Equal(1, finished.Output.GetProperty("pinAttemptsUsed").GetInt32());

        // Once: one first call, one OTP, one call with the OTP, each executed a single time upstream.
        IReadOnlyList<RequestLogEntry> log = await rig.Simulator.GetRequestsAsync(vin);
        Assert.True(RequestLog.EachKeyExecutedOnce(log) is null, RequestLog.EachKeyExecutedOnce(log) + "\n" + RequestLog.Describe(log));
        Assert.Single(RequestLog.Executed(log), e => e.HasOtp);
        Assert.Single(RequestLog.Executed(log), e => e.Api == RequestLog.OtpApi);
        Assert.Single(await rig.Simulator.GetOtpsAsync(vin));
    }
}
