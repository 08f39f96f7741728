using System.Diagnostics;
using System.Globalization;
using Workflow.LocalHost.Tests.Support;
using Workflow.Testing;
using Workflow.VehicleSimulator.State;

namespace Workflow.LocalHost.Tests;

/// <summary>
/// kill -9 of the local host while 20 commands are between their PIN and their end: every OTP request is on its way
/// (the simulator, in the test process, holds each one), so their activity messages are dequeued and invisible when the
/// process dies, right after the last one was sent. The local host started again on the same hub resumes them all, each
/// upstream call runs once, and the resume comes within the 60 s the issue names, judged by the simulator's clock.
/// </summary>
public sealed class KillWithWorkInFlightTests(ITestOutputHelper output)
{
    private const int Commands = 20;

    // How long the simulator holds each OTP request: longer than it takes all twenty to get there on a loaded machine,
    // inside the attempt timeout set below, and well inside the activity's visibility timeout (a minute).
    private const int HoldMs = 25_000;

    /// <summary>The deadline the issue names: host.json's visibility timeouts are one minute, and the messages were dequeued before the kill.</summary>
    private static readonly TimeSpan ResumeDeadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Commands_in_flight_survive_kill_9_resume_within_60_seconds_of_the_restart_and_each_upstream_call_runs_once()
    {
        await using ChildHostRig rig = await ChildHostRig.StartAsync("KillInFlight");
        (LocalHostProcess first, LocalHostSettings settings) = await rig.StartNewHostAsync("--VehicleApi:AttemptTimeout=00:00:40", "--VehicleApi:TotalTimeout=00:00:50");
        using var api = new CommandsClient(settings.BaseAddress, settings.FunctionKey);
        string[] vins = [.. Enumerable.Range(0, Commands).Select(_ => TestVins.New())];
        StartedCommand[] started = await Task.WhenAll(vins.Select(vin => api.StartAsync(TestCommands.StrongAuth(vin))));
        await Task.WhenAll(started.Select(c => api.WaitForStageAsync(c.StatusQueryGetUri, "AwaitingPin")));

        await rig.Simulator.InjectFaultsAsync(status: 0, count: Commands, delayMs: HoldMs);
        await Task.WhenAll(started.Select(c => api.DeliverPinAsync(c.PinPostUri, LocalHostFixture.DefaultPin)));
        IReadOnlyList<DateTimeOffset> heldAt = await WaitUntilAllHeldAsync(rig);
        await ChildHostRig.KillAsync(first);
        DateTimeOffset killedAt = DateTimeOffset.UtcNow;

        DateTimeOffset restartedAt = DateTimeOffset.UtcNow;
        long restart = Stopwatch.GetTimestamp();
        await rig.StartHostAsync(settings);
        TimeSpan ready = Clock.Since(restart);

        // Nothing had reached the vehicle: every OTP request was still held when the process died.
        Assert.DoesNotContain(RequestLog.Executed(await rig.RequestsAsync(vins)), e => e.Api == RequestLog.OtpApi && e.At < restartedAt);

        // Resumed: the simulator has seen the command again since the restart (its OTP request, sent anew).
        var resumed = new Dictionary<string, DateTimeOffset>();
        async Task<bool> AllResumedAsync()
        {
            foreach (string vin in vins.Where(v => !resumed.ContainsKey(v)))
            {
                if ((await rig.Simulator.GetRequestsAsync(vin)).FirstOrDefault(e => e.At >= restartedAt) is { } again)
                {
                    resumed[vin] = again.At;
                }
            }

            return resumed.Count == Commands;
        }

        try
        {
            await Eventually.TrueAsync(AllResumedAsync, $"all {Commands} commands to resume", ResumeDeadline - Clock.Since(restart));
        }
        catch (TimeoutException)
        {
            // Measured on, for the report; the verdict below is by the simulator's own clock.
            await Eventually.TrueAsync(AllResumedAsync, $"all {Commands} commands to resume, late", CommandsClient.FlowTimeout);
        }

        int inTime = resumed.Values.Count(t => t - restartedAt <= ResumeDeadline);

        string measured = Describe(heldAt, killedAt, restartedAt, ready, resumed.Values);
        output.WriteLine(measured);
        CommandStatus[] finished = await Task.WhenAll(started.Select(c => api.WaitForFinishedAsync(c.StatusQueryGetUri)));
        output.WriteLine($"all finished {Clock.Since(restart).TotalSeconds:F1} s after the restart");

        Assert.All(finished, f => Assert.Equal(("Completed", "Succeeded"), (f.RuntimeStatus, f.Outcome)));
        IReadOnlyList<RequestLogEntry> log = await rig.RequestsAsync(vins);
        Assert.True(RequestLog.EachKeyExecutedOnce(log) is null, RequestLog.EachKeyExecutedOnce(log));
        foreach (string vin in vins)
        {
            Assert.Single(RequestLog.Executed(log.Where(e => e.Vin == vin)), e => e.HasOtp && e.Status == "SUCCEEDED");
        }

        // Checked last, so that a late resume still shows whether everything completed once.
        if (inTime < Commands)
        {
            throw new TimeoutException(
                $"DEFECT: in-flight work did not resume within {ResumeDeadline.TotalSeconds:F0} s of the restart: {inTime} of {Commands} did (all completed once afterwards). {measured} "
                + "What governs it: the activity messages were dequeued just before the kill and stay invisible for host.json's "
                + "workItemQueueVisibilityTimeout (00:01:00) counted from that dequeue, then wait up to maxQueuePollingInterval for a poll, "
                + "then the activity runs; the only margin is the time between the dequeue and the restart. "
                + "Proposed fix: host.json extensions.durableTask.storageProvider.workItemQueueVisibilityTimeout 00:00:45 (the Durable extension bounds "
                + "only controlQueueVisibilityTimeout to 1-60 minutes; DurableTaskEngineSettings' remarks recommend 45 s for the product).\n"
                + rig.Outputs());
        }
    }

    /// <summary>
    /// Polls the simulator's pending holds until every OTP request is held, noting when each was taken (an upper bound of
    /// when its activity message was dequeued), so the kill comes right after the last one.
    /// </summary>
    private static async Task<IReadOnlyList<DateTimeOffset>> WaitUntilAllHeldAsync(ChildHostRig rig)
    {
        var heldAt = new List<DateTimeOffset>();
        var deadline = Stopwatch.StartNew();
        while (heldAt.Count < Commands)
        {
            int remaining = (await rig.Simulator.GetFaultsAsync()).Sum(f => f.Remaining);
            DateTimeOffset now = DateTimeOffset.UtcNow;
            while (heldAt.Count < Commands - remaining)
            {
                heldAt.Add(now);
            }

            if (heldAt.Count < Commands)
            {
                Assert.True(deadline.Elapsed < CommandsClient.FlowTimeout, $"Only {heldAt.Count} of {Commands} OTP requests reached the simulator within {CommandsClient.FlowTimeout}.\n{rig.Outputs()}");
                await Task.Delay(TimeSpan.FromMilliseconds(20));
            }
        }

        return heldAt;
    }

    private static string Describe(IReadOnlyList<DateTimeOffset> heldAt, DateTimeOffset killedAt, DateTimeOffset restartedAt, TimeSpan ready, IEnumerable<DateTimeOffset> resumed)
    {
        static string Seconds(IEnumerable<double> values) => string.Join(", ", values.Select(v => v.ToString("F1", CultureInfo.InvariantCulture)));
        DateTimeOffset[] again = [.. resumed.Order()];
        return $"OTP requests held {Seconds(heldAt.Select(t => (restartedAt - t).TotalSeconds).Order())} s before the restart "
            + $"(killed {(restartedAt - killedAt).TotalSeconds:F2} s before it; the restarted host was ready after {ready.TotalSeconds:F1} s); "
            + $"resumed (s after the restart): {Seconds(again.Select(t => (t - restartedAt).TotalSeconds))}; "
            + $"k-th resume minus k-th hold (s): {Seconds(again.Zip(heldAt.Order()).Select(p => (p.First - p.Second).TotalSeconds))}.";
    }
}
