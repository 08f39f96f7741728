using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Workflow.Azurite;
using Workflow.Benchmarks;
using Workflow.Durable;
using Workflow.Testing;

// Prints one "BENCH {json}" line per scenario on stdout; progress goes to stderr.
// Usage: dotnet run -c Release --project tests/Workflow.Benchmarks [-- [--scale N] [--verbose] [--logs]]
//   --scale N   N times the instances of every scenario
//   --verbose   after each scenario, the storage requests it made per instance, by kind, with their mean time
//   --logs      the runtime's debug logs on stderr
int scaleAt = Array.IndexOf(args, "--scale");
int scale = scaleAt >= 0 && scaleAt + 1 < args.Length ? int.Parse(args[scaleAt + 1], CultureInfo.InvariantCulture) : 1;
bool verbose = args.Contains("--verbose");
bool logs = args.Contains("--logs");
using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(10));
CancellationToken ct = cancel.Token;

await using AzuriteServer? ownAzurite = await LoopbackPort.IsListeningAsync(AzuritePorts.Default.Table, ct) ? null : await AzuriteServer.StartAsync(ct);
string connectionString = ownAzurite?.ConnectionString ?? "UseDevelopmentStorage=true";
Console.Error.WriteLine(ownAzurite is null ? "Using the Azurite already listening on 10000-10002." : $"Started Azurite on {ownAzurite.TablePort}.");

var counter = new RequestCounter();
var clock = new ActivityClock();
var builder = Host.CreateApplicationBuilder();
builder.Logging.ClearProviders();
if (logs)
{
    builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Debug);
}

builder.Services.AddSingleton(clock);
builder.Services.AddDurableTask(r => r.AddOrchestrator<SequentialChain>().AddOrchestrator<WaitForSignal>().AddOrchestrator<SingleActivity>().AddActivity<Step>())
    .Configure(o =>
    {
        o.HubName = "bench" + Guid.NewGuid().ToString("N")[..12];
        o.Storage.ConnectionString = connectionString;
        o.Storage.AdditionalPolicies.Add(counter);
        o.MaxPollingInterval = TimeSpan.FromMilliseconds(100);
    });
using IHost host = builder.Build();
await host.StartAsync(ct);
DurableTaskClient client = host.Services.GetRequiredService<DurableTaskClient>();

// Warm-up: creates the hub and JIT-compiles the paths.
await client.WaitForInstanceCompletionAsync(await client.ScheduleNewOrchestrationInstanceAsync(nameof(SingleActivity), cancellationToken: ct), cancellationToken: ct);

await SequentialActivitiesAsync(chains: 20 * scale, length: 10);
await ExternalEventsAsync(instances: 200 * scale);
await StartToCompleteAsync("start-to-complete", instances: 200 * scale, concurrency: 1);
await StartToCompleteAsync("start-to-complete-8-in-flight", instances: 200 * scale, concurrency: 8);
await AzuriteCeilingAsync(writes: 2000 * scale, inFlight: 32);
await host.StopAsync(CancellationToken.None);
return 0;

async Task SequentialActivitiesAsync(int chains, int length)
{
    Console.Error.WriteLine($"sequential-activities: {chains} chains of {length} activities...");
    clock.Ticks.Clear();
    counter.TakeBreakdown();
    long requestsBefore = counter.Count;
    var watch = Stopwatch.StartNew();
    string[] ids = await Task.WhenAll(Enumerable.Range(0, chains).Select(_ => client.ScheduleNewOrchestrationInstanceAsync(nameof(SequentialChain), length, cancellationToken: ct)));
    await Task.WhenAll(ids.Select(id => client.WaitForInstanceCompletionAsync(id, cancellationToken: ct)));
    watch.Stop();
    // Latency of one hop: from one activity of a chain to the next.
    var gaps = clock.Ticks.Values.SelectMany(q => q.Zip(q.Skip(1), (a, b) => Stopwatch.GetElapsedTime(a, b).TotalMilliseconds)).ToList();
    Report("sequential-activities", chains * length / watch.Elapsed.TotalSeconds, gaps, (counter.Count - requestsBefore) / (double)chains,
        new { chains, activities_per_chain = length, unit = "activities; latency = gap between consecutive activities of a chain" });
    PrintBreakdown(chains);
}

async Task ExternalEventsAsync(int instances)
{
    Console.Error.WriteLine($"external-events: {instances} instances waiting for one event each...");
    string[] ids = await Task.WhenAll(Enumerable.Range(0, instances).Select(_ => client.ScheduleNewOrchestrationInstanceAsync(nameof(WaitForSignal), cancellationToken: ct)));
    counter.TakeBreakdown();
    long requestsBefore = counter.Count;
    var latencies = new double[instances];
    var watch = Stopwatch.StartNew();
    await Parallel.ForEachAsync(Enumerable.Range(0, instances), new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = ct }, async (i, token) =>
    {
        long start = Stopwatch.GetTimestamp();
        await client.RaiseEventAsync(ids[i], "Signal", "go", token);
        await client.WaitForInstanceCompletionAsync(ids[i], cancellationToken: token);
        latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    });
    watch.Stop();
    Report("external-events", instances / watch.Elapsed.TotalSeconds, latencies, (counter.Count - requestsBefore) / (double)instances,
        new { instances, unit = "events; latency = raise to instance completed" });
    PrintBreakdown(instances);
}

// Latency of one command on its own (concurrency 1), then under load (8 in flight, where Azurite's queueing dominates).
async Task StartToCompleteAsync(string scenario, int instances, int concurrency)
{
    Console.Error.WriteLine($"{scenario}: {instances} one-activity orchestrations, {concurrency} at a time...");
    counter.TakeBreakdown();
    long requestsBefore = counter.Count;
    var latencies = new double[instances];
    var watch = Stopwatch.StartNew();
    await Parallel.ForEachAsync(Enumerable.Range(0, instances), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = ct }, async (i, token) =>
    {
        long start = Stopwatch.GetTimestamp();
        string id = await client.ScheduleNewOrchestrationInstanceAsync(nameof(SingleActivity), cancellationToken: token);
        await client.WaitForInstanceCompletionAsync(id, cancellationToken: token);
        latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    });
    watch.Stop();
    Report(scenario, instances / watch.Elapsed.TotalSeconds, latencies, (counter.Count - requestsBefore) / (double)instances,
        new { instances, concurrency, unit = "orchestrations; latency = schedule to completed" });
    PrintBreakdown(instances);
}

async Task AzuriteCeilingAsync(int writes, int inFlight)
{
    Console.Error.WriteLine($"azurite-ceiling: {writes} single-entity table writes, {inFlight} in flight...");
    var table = new TableClient(connectionString, "ceiling" + Guid.NewGuid().ToString("N")[..12]);
    await table.CreateIfNotExistsAsync(ct);
    var latencies = new double[writes];
    var watch = Stopwatch.StartNew();
    await Parallel.ForEachAsync(Enumerable.Range(0, writes), new ParallelOptions { MaxDegreeOfParallelism = inFlight, CancellationToken = ct }, async (i, token) =>
    {
        long start = Stopwatch.GetTimestamp();
        await table.UpsertEntityAsync(new TableEntity("p" + (i % 64).ToString(CultureInfo.InvariantCulture), i.ToString(CultureInfo.InvariantCulture)) { ["Value"] = i }, cancellationToken: token);
        latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    });
    watch.Stop();
    await table.DeleteAsync(ct);
    Report("azurite-ceiling", writes / watch.Elapsed.TotalSeconds, latencies, 1, new { writes, in_flight = inFlight, unit = "table writes" });
}

// With --verbose: which storage requests a scenario made, per instance, and how long each kind took.
void PrintBreakdown(int instances)
{
    foreach ((string kind, long count, double meanMs) in counter.TakeBreakdown())
    {
        if (verbose)
        {
            Console.Error.WriteLine($"    {kind,-24} {count / (double)instances,6:F2} per instance, mean {meanMs,6:F1} ms");
        }
    }
}

static void Report(string scenario, double throughput, IReadOnlyCollection<double> latencies, double requestsPerInstance, object details)
{
    double[] sorted = [.. latencies.Order()];
    double Percentile(double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    var line = new Dictionary<string, object>
    {
        ["scenario"] = scenario,
        ["throughput_per_s"] = Math.Round(throughput, 1),
        ["p50_ms"] = Math.Round(Percentile(0.50), 1),
        ["p99_ms"] = Math.Round(Percentile(0.99), 1),
        ["storage_requests_per_instance"] = Math.Round(requestsPerInstance, 1),
        ["details"] = details,
    };
    Console.WriteLine("BENCH " + JsonSerializer.Serialize(line));
}
