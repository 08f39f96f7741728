using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Workflow.Azurite;
using Workflow.Benchmarks;
using Workflow.VehicleSimulator;

// dotnet run -c Release --project tests/Workflow.Benchmarks [-- --help]
// The product's host.json settings against the Durable extension's defaults, on the DTFx Azure Storage engine behind
// the gRPC sidecar, on an Azurite of its own (free ports): one "BENCH {json}" line per scenario and configuration.
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (FormatException e)
{
    await Console.Error.WriteLineAsync(e.Message + Environment.NewLine + BenchOptions.Usage);
    return 64;
}

if (options.Help)
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

string root = AzuriteInstallation.FindRepositoryRoot(Directory.GetCurrentDirectory(), AppContext.BaseDirectory)
    ?? throw new InvalidOperationException("Run the benchmark from the repository: its package.json (which pins Azurite) and host.json were not found.");
string hostJson = Path.Combine(root, "host.json");
List<EngineConfig> configs = [EngineConfig.Defaults(), EngineConfig.Product(hostJson), .. options.ConfigSpecs.Select(spec => EngineConfig.Variant(hostJson, spec))];
if (options.ConfigNames is { } names)
{
    configs = [.. configs.Where(c => names.Contains(c.Name, StringComparer.OrdinalIgnoreCase))];
}

if (configs.Count == 0 || configs.Select(c => c.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count() != configs.Count)
{
    await Console.Error.WriteLineAsync("No configuration to run, or two with the same name.");
    return 64;
}

foreach (EngineConfig config in configs)
{
    config.CheckLocalHostOverrides(hostJson);
    Progress.Note($"config {config.Name}: {config.Describe()}");
}

// Every loop below is bounded by its own timeout; this bounds the whole run, and Ctrl+C (or SIGTERM) ends it cleanly:
// everything started is stopped on the way out.
using var run = new CancellationTokenSource(TimeSpan.FromMinutes(options.Host == "functions" ? 30 : 20));
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    run.Cancel();
};
using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    run.Cancel();
});
CancellationToken ct = run.Token;
Task progress = Progress.RunAsync(ct);

// Either host: a cancelled run (Ctrl+C, SIGTERM, the time limit) still stops everything it started on the way out.
try
{
    // The Functions host runs in processes of its own: counted through a proxy in front of Azurite.
    return options.Host == "functions" ? await FunctionsHostRun.RunAsync(options, configs, root, ct) : await RunOnSidecarAsync();
}
catch (OperationCanceledException) when (ct.IsCancellationRequested)
{
    await Console.Error.WriteLineAsync("Cancelled (Ctrl+C, SIGTERM or the run's time limit): everything it started was stopped.");
    return 130;
}
finally
{
    await run.CancelAsync();
    await progress;
}

// The engine in this process, behind the gRPC sidecar, as the local host runs it.
async Task<int> RunOnSidecarAsync()
{
    string launcher = await AzuriteInstallation.EnsureInstalledAsync(root, () => Progress.Note("installing Azurite (npm ci)"), ct);
    await using AzuriteProcess azurite = await AzuriteProcess.StartAsync(launcher, AzuritePorts.FreeLoopback(), TimeProvider.System, ct);
    Progress.Note($"Azurite (process {azurite.ProcessId}) in memory on {azurite.Ports}");
    using var meter = new StorageMeter(azurite.Ports);
    var bench = new BenchContext(meter, new CpuClock(azurite.ProcessId), azurite.ConnectionString, options, ct);
    await using VehicleSimulatorServer simulator = await VehicleSimulatorServer.StartAsync(new VehicleSimulatorOptions(), ct);
    Progress.Note($"vehicle simulator on {simulator.BaseAddress}");
    using ILoggerFactory engineLogs = LoggerFactory.Create(b => b
        .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
        .AddSimpleConsole(o => o.SingleLine = true)
        .SetMinimumLevel(BenchEngine.EngineLogLevel));

    string runId = Guid.NewGuid().ToString("N")[..8];
    int hubs = 0;
    string NewHub()
    {
        // Same length for every hub of the run, so that no hub name is the start of another's.
        string hub = string.Create(CultureInfo.InvariantCulture, $"B{runId}{hubs++:D2}");
        meter.RegisterHub(hub);
        return hub;
    }

    var outcomes = new BenchOutcomes(options, ct);

    var engines = new List<(BenchEngine Engine, DateTimeOffset IdleSince)>();
    try
    {
        bool engineScenarios = options.Runs("sequential-activities") || options.Runs("external-events") || options.Runs("start-to-complete") || options.Runs("idle");
        if (engineScenarios)
        {
            foreach (EngineConfig config in configs)
            {
                Progress.Set($"starting the {config.Name} engine");
                BenchEngine engine = await BenchEngine.StartAsync(config, NewHub(), azurite.ConnectionString, engineLogs, ct);
                engines.Add((engine, DateTimeOffset.MaxValue));
                await engine.WarmUpAsync(8, ct);
                engines[^1] = (engine, DateTimeOffset.UtcNow);
            }
        }

        async Task OnEngines(string scenario, Func<BenchEngine, Task<BenchResult>> body)
        {
            foreach ((BenchEngine engine, _) in outcomes.Turn(engines))
            {
                await outcomes.Attempt($"{scenario}/{engine.Config.Name}", async () => outcomes.Emit(await body(engine)));
                int at = engines.FindIndex(e => e.Engine == engine);
                engines[at] = (engine, DateTimeOffset.UtcNow);
            }
        }

        if (options.Runs("sequential-activities"))
        {
            await OnEngines("sequential-activities", e => EngineScenarios.SequentialActivitiesAsync(bench, e, bench.Scaled(20), 10));
        }

        if (options.Runs("external-events"))
        {
            await OnEngines("external-events", e => EngineScenarios.ExternalEventsAsync(bench, e, bench.Scaled(200), 32));
        }

        if (options.Runs("start-to-complete"))
        {
            await OnEngines("start-to-complete", e => EngineScenarios.StartToCompleteAsync(bench, e, "start-to-complete", bench.Scaled(100), 1));
            await OnEngines("start-to-complete-8-in-flight", e => EngineScenarios.StartToCompleteAsync(bench, e, "start-to-complete-8-in-flight", bench.Scaled(200), 8));
        }

        if (options.Runs("strong-auth-command"))
        {
            int runNumber = 0;
            foreach (EngineConfig config in outcomes.Turn(configs))
            {
                int number = ++runNumber;
                await outcomes.Attempt($"strong-auth-command/{config.Name}", async () =>
                    outcomes.Emit(await StrongAuthScenario.RunAsync(bench, config, NewHub(), simulator.BaseAddress, bench.Scaled(100), number)));
            }
        }

        bool afterIdle = options.Runs(PinAfterIdleScenario.Name);
        bool crossInstance = options.Runs(PinAfterIdleScenario.CrossInstanceName);
        if (afterIdle || crossInstance)
        {
            // A local host per configuration and scenario, side by side: their back-off waits overlap, their work does
            // not. Cross-instance: a second instance on the local host's hub, owning no partition, takes the PINs.
            EngineConfig[] afterIdleOrder = afterIdle ? [.. outcomes.Turn(configs)] : [];
            EngineConfig[] crossOrder = crossInstance ? [.. outcomes.Turn(configs)] : [];
            var subjects = new List<PinAfterIdleScenario.Subject>();
            foreach (EngineConfig config in afterIdleOrder)
            {
                string hub = NewHub();
                subjects.Add(new PinAfterIdleScenario.Subject(config, subjects.Count + 1, async label =>
                {
                    LocalHostTarget local = await LocalHostTarget.StartAsync(bench, config, hub, simulator.BaseAddress, label);
                    return new PinAfterIdleScenario.Session(local.Target, local);
                }));
            }

            foreach (EngineConfig config in crossOrder)
            {
                string hub = NewHub();
                subjects.Add(new PinAfterIdleScenario.Subject(config, subjects.Count + 1, async label =>
                {
                    LocalHostTarget local = await LocalHostTarget.StartAsync(bench, config, hub, simulator.BaseAddress, label);
                    try
                    {
                        PinOnlyInstance pins = await PinOnlyInstance.StartAsync(bench, config, local);
                        return new PinAfterIdleScenario.Session(local.Target, new AsyncDisposables(pins, local), pins);
                    }
                    catch
                    {
                        await local.DisposeAsync();
                        throw;
                    }
                }, PinAfterIdleScenario.CrossInstanceName));
            }

            Task<BenchResult>[] runs = await PinAfterIdleScenario.RunAsync(bench, subjects, bench.Scaled(20));
            for (int i = 0; i < runs.Length; i++)
            {
                Task<BenchResult> finished = runs[i];
                await outcomes.Attempt($"{subjects[i].Scenario}/{subjects[i].Config.Name}", async () => outcomes.Emit(await finished));
            }
        }

        if (options.Runs("azurite-ceiling"))
        {
            await outcomes.Attempt("azurite-ceiling", async () => outcomes.Emit(await EngineScenarios.AzuriteCeilingAsync(bench, bench.Scaled(2000), 32)));
        }

        if (options.Runs("idle"))
        {
            await outcomes.Attempt("idle", async () =>
            {
                foreach (BenchResult result in await EngineScenarios.IdleAsync(bench, engines, options.IdleWindow))
                {
                    outcomes.Emit(result);
                }
            });
        }
    }
    finally
    {
        Progress.Set("stopping");
        foreach ((BenchEngine engine, _) in engines)
        {
            await engine.DisposeAsync();
        }
    }

    return await outcomes.ReportAsync(configs);
}
