using System.Diagnostics;
using Workflow.LocalHost.Tests.Support;
using Workflow.Testing;
using Workflow.VehicleSimulator.State;

namespace Workflow.LocalHost.Tests;

/// <summary>
/// Two local host processes on one task hub (same storage and hub, different API ports), as two app instances: they
/// split the hub's partitions, either API serves any command, and nothing runs twice.
/// </summary>
public sealed class TwoHostsOneHubTests(ITestOutputHelper output)
{
    private const int Commands = 50;

    /// <summary>The engine's control-queue visibility timeout (host.json), plus room for the work itself.</summary>
    private static readonly TimeSpan HandOverDeadline = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Fifty_commands_through_the_pin_flow_spread_over_two_local_hosts_on_one_hub_each_complete_once()
    {
        await using ChildHostRig rig = await ChildHostRig.StartAsync("TwoHosts");
        (LocalHostProcess Host, LocalHostSettings Settings)[] hosts = await Task.WhenAll(rig.StartNewHostAsync(), rig.StartNewHostAsync());
        (LocalHostSettings a, LocalHostSettings b) = (hosts[0].Settings, hosts[1].Settings);
        Assert.NotEqual(a.Port, b.Port);

        // Two app instances settle on an even split of the hub's four partitions before they take traffic. (While a
        // partition changes hands, the messages its old owner had prefetched wait out their visibility timeout, a minute.)
        long settling = Stopwatch.GetTimestamp();
        IReadOnlyList<PartitionLease> split = await Eventually.GetAsync(
            async () => await rig.PartitionsAsync() is { Count: 4 } leases && leases.All(l => l.IsSettled)
                && leases.GroupBy(l => l.CurrentOwner).Select(g => g.Count()).Order().SequenceEqual([2, 2]) ? leases : null,
            "the two local hosts to split the hub's partitions evenly",
            TimeSpan.FromSeconds(90));
        output.WriteLine($"partitions split after {Clock.Since(settling).TotalSeconds:F1} s: {string.Join(", ", split.Select(l => $"{l.Partition}={l.CurrentOwner}"))}");

        using var apiA = new CommandsClient(a.BaseAddress, a.FunctionKey);
        using var apiB = new CommandsClient(b.BaseAddress, b.FunctionKey);
        CommandsClient[] apis = [apiA, apiB];
        long start = Stopwatch.GetTimestamp();

        // Started through one API, PIN through the other: the event and the PIN token work across processes.
        string[] vins = [.. Enumerable.Range(0, Commands).Select(_ => TestVins.New())];
        CommandStatus[] finished;
        try
        {
            StartedCommand[] started = await Task.WhenAll(vins.Select((vin, i) => apis[i % 2].StartAsync(TestCommands.StrongAuth(vin))));
            // A start message one host had taken while the other took its partition over waits out the control queue's
            // visibility timeout (one minute) before the new owner sees it: the deadline allows for that, and no more.
            await Task.WhenAll(started.Select((c, i) => apis[i % 2].WaitForStageAsync(c.StatusQueryGetUri, "AwaitingPin", HandOverDeadline)));
            await Task.WhenAll(started.Select((c, i) => apis[(i + 1) % 2].DeliverPinAsync(c.PinPostUri, LocalHostFixture.DefaultPin)));
            finished = await Task.WhenAll(started.Select((c, i) => apis[i % 2].WaitForFinishedAsync(c.StatusQueryGetUri, HandOverDeadline)));
        }
        catch (TimeoutException ex)
        {
            string leases = string.Join(", ", (await rig.PartitionsAsync()).Select(l => l.ToString()));
            throw new TimeoutException($"{ex.Message}\nPartitions: {leases}\n{rig.Outputs()}", ex);
        }

        output.WriteLine($"{Commands} commands through the PIN flow on two local hosts in {Clock.Since(start).TotalSeconds:F1} s");
        Assert.All(finished, f => Assert.Equal(("Completed", "Succeeded"), (f.RuntimeStatus, f.Outcome)));
        Assert.All(finished, f => Assert.Equal(1, f.Output.GetProperty("pinAttemptsUsed").GetInt32()));
        IReadOnlyList<RequestLogEntry> log = await rig.RequestsAsync(vins);
        Assert.True(RequestLog.EachKeyExecutedOnce(log) is null, RequestLog.EachKeyExecutedOnce(log));
        foreach (string vin in vins)
        {
            Assert.Single(RequestLog.Executed(log.Where(e => e.Vin == vin)), e => e.HasOtp && e.Status == "SUCCEEDED");
        }
    }
}
