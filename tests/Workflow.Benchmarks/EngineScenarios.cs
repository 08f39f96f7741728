using System.Globalization;
using Azure.Data.Tables;
using Microsoft.DurableTask.Client;

namespace Workflow.Benchmarks;

/// <summary>What every scenario needs: the storage meter, the CPU clock, Azurite's connection string, the deadline.</summary>
internal sealed record BenchContext(StorageMeter Meter, CpuClock Cpu, string ConnectionString, BenchOptions Options, CancellationToken CancellationToken)
{
    /// <summary>Longest wait for one batch of work; a scenario that exceeds it fails rather than hangs.</summary>
    public static readonly TimeSpan WorkTimeout = TimeSpan.FromMinutes(3);

    public int Scaled(int count) => Math.Max(1, (int)Math.Round(count * Options.Scale));
}

/// <summary>The engine scenarios: the benchmark's own orchestrations on a <see cref="BenchEngine"/>.</summary>
internal static class EngineScenarios
{
    /// <summary><c>sequential-activities</c>: chains of activities run one after the other, all chains at once.</summary>
    public static async Task<BenchResult> SequentialActivitiesAsync(BenchContext bench, BenchEngine engine, int chains, int length)
    {
        CancellationToken ct = bench.CancellationToken;
        string label = $"sequential-activities/{engine.Config.Name}";
        long hopsBefore = HopClock.Count;
        Progress.Set(label, () => $"{HopClock.Count - hopsBefore}/{chains * length} activities");

        Window window = Window.Begin(bench.Meter, engine.HubName, withUnattributed: true, bench.Cpu);
        DateTimeOffset start = DateTimeOffset.UtcNow;
        string[] ids = await Task.WhenAll(Enumerable.Range(0, chains).Select(_ =>
            engine.Client.ScheduleNewOrchestrationInstanceAsync(BenchTasks.Chain, length, cancellation: ct))).ConfigureAwait(false);
        await Task.WhenAll(ids.Select(Finished.WhenFinished)).WaitAsync(BenchContext.WorkTimeout, ct).ConfigureAwait(false);
        Dictionary<string, InstanceRow> rows = await engine.Instances.WaitAllAsync(ids, r => r.IsCompleted, TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
        window.End();

        double seconds = (rows.Values.Max(r => r.Timestamp) - start).TotalSeconds;
        List<double> gaps = HopClock.Gaps(ids);
        return new BenchResult
        {
            Scenario = "sequential-activities",
            Config = engine.Config.Name,
            ThroughputPerS = chains * length / seconds,
            P50Ms = Percentiles.Of(gaps, 0.50),
            P99Ms = Percentiles.Of(gaps, 0.99),
            StorageRequestsPerInstance = window.Storage.Total / (double)chains,
            Instances = chains,
            Window = window,
            Unit = $"activities/s over {chains} chains of {length}; latency = gap between consecutive activities of a chain; storage per chain",
            Extra = { ["storage_requests_per_activity"] = window.Storage.Total / (double)(chains * length) },
        };
    }

    /// <summary><c>external-events</c>: instances that wait for one event each; events raised with a fixed number in flight.</summary>
    public static async Task<BenchResult> ExternalEventsAsync(BenchContext bench, BenchEngine engine, int instances, int inFlight)
    {
        CancellationToken ct = bench.CancellationToken;
        string label = $"external-events/{engine.Config.Name}";
        Progress.Set(label, () => $"starting {instances} waiting instances");
        var options = new ParallelOptions { MaxDegreeOfParallelism = inFlight, CancellationToken = ct };
        string[] ids = new string[instances];
        await Parallel.ForEachAsync(Enumerable.Range(0, instances), options, async (i, token) =>
            ids[i] = await engine.Client.ScheduleNewOrchestrationInstanceAsync(BenchTasks.Wait, cancellation: token).ConfigureAwait(false)).ConfigureAwait(false);
        await engine.Instances.WaitAllAsync(ids, r => r.RuntimeStatus == "Running", BenchContext.WorkTimeout, ct).ConfigureAwait(false);

        int done = 0;
        Progress.Set(label, () => $"{Volatile.Read(ref done)}/{instances} events");
        var latencies = new double[instances];
        var completedAt = new DateTimeOffset[instances];
        Window window = Window.Begin(bench.Meter, engine.HubName, withUnattributed: true, bench.Cpu);
        DateTimeOffset start = DateTimeOffset.UtcNow;
        await Parallel.ForEachAsync(Enumerable.Range(0, instances), options, async (i, token) =>
        {
            DateTimeOffset raised = DateTimeOffset.UtcNow;
            await engine.Client.RaiseEventAsync(ids[i], BenchTasks.SignalEvent, "go", token).ConfigureAwait(false);
            InstanceRow row = await CommittedAsync(engine, ids[i], token).ConfigureAwait(false);
            completedAt[i] = row.Timestamp;
            latencies[i] = (row.Timestamp - raised).TotalMilliseconds;
            Interlocked.Increment(ref done);
        }).ConfigureAwait(false);
        window.End();

        return new BenchResult
        {
            Scenario = "external-events",
            Config = engine.Config.Name,
            ThroughputPerS = instances / (completedAt.Max() - start).TotalSeconds,
            P50Ms = Percentiles.Of(latencies, 0.50),
            P99Ms = Percentiles.Of(latencies, 0.99),
            StorageRequestsPerInstance = window.Storage.Total / (double)instances,
            Instances = instances,
            Window = window,
            Unit = $"events/s, {inFlight} raised at a time to {instances} waiting instances; latency = raise to instance completed",
        };
    }

    /// <summary><c>start-to-complete</c>: one-activity orchestrations, a fixed number in flight.</summary>
    public static async Task<BenchResult> StartToCompleteAsync(BenchContext bench, BenchEngine engine, string scenario, int instances, int inFlight)
    {
        CancellationToken ct = bench.CancellationToken;
        int done = 0;
        Progress.Set($"{scenario}/{engine.Config.Name}", () => $"{Volatile.Read(ref done)}/{instances} orchestrations");
        var latencies = new double[instances];
        var completedAt = new DateTimeOffset[instances];
        Window window = Window.Begin(bench.Meter, engine.HubName, withUnattributed: true, bench.Cpu);
        DateTimeOffset start = DateTimeOffset.UtcNow;
        await Parallel.ForEachAsync(Enumerable.Range(0, instances), new ParallelOptions { MaxDegreeOfParallelism = inFlight, CancellationToken = ct }, async (i, token) =>
        {
            DateTimeOffset scheduled = DateTimeOffset.UtcNow;
            string id = await engine.Client.ScheduleNewOrchestrationInstanceAsync(BenchTasks.Single, cancellation: token).ConfigureAwait(false);
            InstanceRow row = await CommittedAsync(engine, id, token).ConfigureAwait(false);
            completedAt[i] = row.Timestamp;
            latencies[i] = (row.Timestamp - scheduled).TotalMilliseconds;
            if (bench.Options.Verbose && latencies[i] > 2000)
            {
                Progress.Note($"slow: {id} took {latencies[i]:F0} ms (scheduled {scheduled:HH:mm:ss.fff}, completed {row.Timestamp:HH:mm:ss.fff})");
            }

            Interlocked.Increment(ref done);
        }).ConfigureAwait(false);
        window.End();

        return new BenchResult
        {
            Scenario = scenario,
            Config = engine.Config.Name,
            ThroughputPerS = instances / (completedAt.Max() - start).TotalSeconds,
            P50Ms = Percentiles.Of(latencies, 0.50),
            P99Ms = Percentiles.Of(latencies, 0.99),
            StorageRequestsPerInstance = window.Storage.Total / (double)instances,
            Instances = instances,
            Window = window,
            Unit = $"orchestrations/s, {inFlight} in flight; latency = schedule to completion committed",
        };
    }

    /// <summary>
    /// <c>idle</c>: the storage requests of engines that have nothing to do, all measured over the same window. Each
    /// engine must have been idle long enough for its pollers to have backed off to their longest interval.
    /// </summary>
    public static async Task<List<BenchResult>> IdleAsync(BenchContext bench, IReadOnlyList<(BenchEngine Engine, DateTimeOffset IdleSince)> engines, TimeSpan measure)
    {
        CancellationToken ct = bench.CancellationToken;
        DateTimeOffset settled = engines.Max(e => e.IdleSince + SettleTime(e.Engine.Config));
        if (settled > DateTimeOffset.UtcNow)
        {
            TimeSpan wait = settled - DateTimeOffset.UtcNow;
            Progress.Set("idle", () => $"letting the pollers back off, {Math.Max(0, (settled - DateTimeOffset.UtcNow).TotalSeconds):F0} s left");
            await Task.Delay(wait, ct).ConfigureAwait(false);
        }

        DateTimeOffset end = DateTimeOffset.UtcNow + measure;
        Progress.Set("idle", () => $"counting for {measure.TotalSeconds:F0} s, {Math.Max(0, (end - DateTimeOffset.UtcNow).TotalSeconds):F0} s left");
        long unattributedBefore = bench.Meter.Read(string.Empty, withUnattributed: true).Total;
        Window[] windows = [.. engines.Select(e => Window.Begin(bench.Meter, e.Engine.HubName, withUnattributed: false, bench.Cpu))];
        await Task.Delay(measure, ct).ConfigureAwait(false);
        long unattributed = bench.Meter.Read(string.Empty, withUnattributed: true).Total - unattributedBefore;

        return [.. engines.Select((e, i) =>
        {
            Window window = windows[i].End();
            return new BenchResult
            {
                Scenario = "idle",
                Config = e.Engine.Config.Name,
                Instances = 0,
                Window = window,
                Unit = $"storage requests per minute with nothing to do: counted over {window.Seconds:F0} s after the pollers backed off, times 60/{window.Seconds:F0}",
                Extra =
                {
                    ["storage_requests_per_minute"] = window.Storage.Total * 60 / window.Seconds,
                    ["settle_s"] = SettleTime(e.Engine.Config).TotalSeconds,
                    ["unattributed_requests"] = unattributed,
                },
            };
        })];
    }

    /// <summary>
    /// How long an idle engine's queue pollers take to back off to <c>maxQueuePollingInterval</c>: DTFx starts at
    /// 50 ms and about doubles per empty poll, so the waits add up to about twice the longest interval.
    /// </summary>
    public static TimeSpan SettleTime(EngineConfig config) => config.Settings.MaxQueuePollingInterval * 2 + TimeSpan.FromSeconds(5);

    /// <summary>
    /// <c>azurite-ceiling</c>: single-entity table upserts, a fixed number in flight, no engine; straight to Azurite, or
    /// through <paramref name="connectionString"/> (a counting proxy, whose count <paramref name="counted"/> reads) under the
    /// configuration name <paramref name="config"/>.
    /// </summary>
    public static async Task<BenchResult> AzuriteCeilingAsync(
        BenchContext bench, int writes, int inFlight, string? connectionString = null, string config = "azurite", string host = "sidecar", Func<StorageCount>? counted = null)
    {
        CancellationToken ct = bench.CancellationToken;
        int done = 0;
        Progress.Set($"azurite-ceiling/{config}", () => $"{Volatile.Read(ref done)}/{writes} table writes");
        var table = new TableClient(connectionString ?? bench.ConnectionString, "ceiling" + Guid.NewGuid().ToString("N")[..12]);
        var latencies = new double[writes];
        Window window;
        using (StorageMeter.Uncounted())
        {
            await table.CreateIfNotExistsAsync(ct).ConfigureAwait(false);
            // Straight to Azurite nothing is counted; through a proxy, its count (which should be the writes exactly).
            window = counted is null
                ? Window.Begin(bench.Meter, "ceiling-not-a-hub", withUnattributed: false, bench.Cpu)
                : Window.Begin(counted, bench.Cpu, hostCpu: null);
            await Parallel.ForEachAsync(Enumerable.Range(0, writes), new ParallelOptions { MaxDegreeOfParallelism = inFlight, CancellationToken = ct }, async (i, token) =>
            {
                DateTimeOffset started = DateTimeOffset.UtcNow;
                var entity = new TableEntity("p" + (i % 64).ToString(CultureInfo.InvariantCulture), i.ToString(CultureInfo.InvariantCulture)) { ["Value"] = i, ["Text"] = new string('x', 512) };
                await table.UpsertEntityAsync(entity, cancellationToken: token).ConfigureAwait(false);
                latencies[i] = (DateTimeOffset.UtcNow - started).TotalMilliseconds;
                Interlocked.Increment(ref done);
            }).ConfigureAwait(false);
            window.End();
            await table.DeleteAsync(ct).ConfigureAwait(false);
        }

        return new BenchResult
        {
            Scenario = "azurite-ceiling",
            Config = config,
            Host = host,
            ThroughputPerS = writes / window.Seconds,
            P50Ms = Percentiles.Of(latencies, 0.50),
            P99Ms = Percentiles.Of(latencies, 0.99),
            StorageRequestsPerInstance = 1,
            Instances = writes,
            Window = window,
            Unit = $"single-entity table upserts/s (512-byte property), {inFlight} in flight, no engine: the storage ceiling next to the figures"
                + (connectionString is null ? string.Empty : "; through the counting proxy the Functions hosts use, to show its cost"),
            Extra = { ["table_writes_per_s"] = writes / window.Seconds },
        };
    }

    // The instance's last episode ran in this process; its completion is committed right after.
    private static async Task<InstanceRow> CommittedAsync(BenchEngine engine, string instanceId, CancellationToken cancellationToken)
    {
        await Finished.WhenFinished(instanceId).WaitAsync(BenchContext.WorkTimeout, cancellationToken).ConfigureAwait(false);
        InstanceRow row = await engine.Instances.WaitAsync(instanceId, r => r.IsTerminal, TimeSpan.FromSeconds(90), cancellationToken).ConfigureAwait(false);
        Finished.Forget(instanceId);
        return row.IsCompleted ? row : throw new InvalidOperationException($"Instance {instanceId} ended {row.RuntimeStatus}.");
    }
}
