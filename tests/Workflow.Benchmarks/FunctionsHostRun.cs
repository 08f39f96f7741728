using System.Globalization;
using Workflow.Azurite;
using Workflow.Functions.Tests.Support;
using Workflow.Testing;
using Workflow.VehicleSimulator;

namespace Workflow.Benchmarks;

/// <summary>
/// <c>--host functions</c>: the product's scenarios through the real Functions host, as Azure runs the app. The
/// published <c>functions/Workflow.Functions</c> runs under <c>func</c> (when on PATH) or ../shared/functions-host, one
/// host per configuration (df-defaults: host.json without <c>extensions.durableTask</c>; product: the shipped
/// host.json), each on its own task hub, all on one Azurite. The host is another process, so its storage requests are
/// counted by a <see cref="CountingStorageProxy"/> in front of Azurite, one per host.
/// </summary>
internal static class FunctionsHostRun
{
    /// <summary>The scenarios the Functions app can run: it holds only the product's orchestrator, activities and API.</summary>
    public static readonly string[] Scenarios = ["strong-auth-command", PinAfterIdleScenario.Name, "azurite-ceiling", "idle"];

    /// <summary>The generic scenarios, which need orchestrators of their own that the product app does not have.</summary>
    public static readonly string[] SidecarOnly = ["sequential-activities", "external-events", "start-to-complete"];

    public static async Task<int> RunAsync(BenchOptions options, IReadOnlyList<EngineConfig> configs, string root, CancellationToken ct)
    {
        string[] skipped = [.. SidecarOnly.Where(options.Runs)];
        if (skipped.Length > 0)
        {
            Console.WriteLine(
                $"NOTE {string.Join(", ", skipped)}: sidecar only (run them with --host sidecar). The Functions app contains only the product's "
                + "VehicleCommand orchestrator, its activities and its HTTP API; these scenarios need orchestrators of their own "
                + "(activity chains, event waiters, one-activity orchestrations), and none is added to the product for a benchmark.");
        }

        if (options.Runs(PinAfterIdleScenario.CrossInstanceName))
        {
            Console.WriteLine(
                $"NOTE {PinAfterIdleScenario.CrossInstanceName}: sidecar only (run it with --host sidecar). It needs a second instance of the app "
                + "on the same task hub that owns none of its partitions; two Functions hosts on one hub split the partitions between them "
                + "as their leases allow, so which one owns a command's control queue is not known in advance.");
        }

        if (!Scenarios.Any(options.Runs))
        {
            await Console.Error.WriteLineAsync("Nothing to run through the Functions host: --only names none of " + string.Join(", ", Scenarios) + ".");
            return 0;
        }

        FunctionsHostLauncher launcher;
        try
        {
            launcher = FunctionsHostLauncher.Find(Environment.GetEnvironmentVariable("PATH"), root);
        }
        catch (InvalidOperationException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 2;
        }

        Progress.Note($"Functions host: {launcher.Description}");
        bool needsHosts = options.Runs("strong-auth-command") || options.Runs(PinAfterIdleScenario.Name) || options.Runs("idle");

        // The publish takes a minute or two: it starts first, in a dotnet process of its own (not cancellable; a
        // terminal's Ctrl+C reaches it too).
        Task<string>? publish = null;
        if (needsHosts)
        {
            Progress.Set("publishing functions/Workflow.Functions (dotnet publish -c Release -r linux-x64, into a temporary folder)");
            publish = FunctionAppPublish.GetAsync();
        }

        string launcherScript = await AzuriteInstallation.EnsureInstalledAsync(root, () => Progress.Note("installing Azurite (npm ci)"), ct).ConfigureAwait(false);
        await using AzuriteProcess azurite = await AzuriteProcess.StartAsync(launcherScript, AzuritePorts.FreeLoopback(), TimeProvider.System, ct).ConfigureAwait(false);
        Progress.Note($"Azurite (process {azurite.ProcessId}) in memory on {azurite.Ports}");
        using var meter = new StorageMeter(azurite.Ports);
        var bench = new BenchContext(meter, new CpuClock(azurite.ProcessId), azurite.ConnectionString, options, ct);
        await using VehicleSimulatorServer simulator = await VehicleSimulatorServer.StartAsync(new VehicleSimulatorOptions(), ct).ConfigureAwait(false);
        Progress.Note($"vehicle simulator on {simulator.BaseAddress}");

        var outcomes = new BenchOutcomes(options, ct);
        var apps = new List<(FunctionsHostApp App, DateTimeOffset IdleSince)>();
        string runId = Guid.NewGuid().ToString("N")[..8];

        // The product through one host: its API with the function key, its task hub's Instances table (read directly,
        // uncounted), its payload converter; every request through its proxy counts.
        StrongAuthScenario.Target Target(FunctionsHostApp app, string label) => new(
            label,
            app.Config.Name,
            "functions",
            app.Http,
            new InstanceTable(azurite.ConnectionString, app.HubName),
            app.Converter,
            () => Window.Begin(app.Proxy.Counts.ReadAll, bench.Cpu, app.GroupCpu));

        static string LauncherName(FunctionsHostApp app) => app.Launcher.StartsWith("Azure Functions Core Tools", StringComparison.Ordinal) ? "func" : "shared-functions-host";

        try
        {
            string? published = null;
            if (publish is not null)
            {
                await outcomes.Attempt("publish", async () => published = await publish.ConfigureAwait(false)).ConfigureAwait(false);
                ct.ThrowIfCancellationRequested();
            }

            if (published is { } output)
            {
                Progress.Note($"published to {output}");
                for (int i = 0; i < configs.Count; i++)
                {
                    EngineConfig config = configs[i];
                    string hub = string.Create(CultureInfo.InvariantCulture, $"F{runId}{i:D2}");
                    Progress.Set($"starting the Functions host for {config.Name} (task hub {hub})");
                    await outcomes.Attempt($"start/{config.Name}", async () =>
                    {
                        FunctionsHostApp app = await FunctionsHostApp.StartAsync(
                            config, hub, output, launcher, azurite.Ports, azurite.ConnectionString, simulator, FunctionAppPublish.RunDirectory, ct).ConfigureAwait(false);
                        apps.Add((app, DateTimeOffset.UtcNow));
                        Progress.Note($"Functions host for {config.Name} (process group {app.ProcessId}) on {app.BaseAddress}, storage through the counting proxy ({app.Proxy.ConnectionString.Split(';').First(p => p.StartsWith("TableEndpoint", StringComparison.Ordinal))}...)");
                    }).ConfigureAwait(false);
                    ct.ThrowIfCancellationRequested();
                }
            }

            if (options.Runs("strong-auth-command") && apps.Count > 0)
            {
                int runNumber = 0;
                foreach ((FunctionsHostApp app, _) in outcomes.Turn(apps))
                {
                    int number = ++runNumber;
                    string label = $"strong-auth-command/{app.Config.Name}";
                    await outcomes.Attempt(label, async () =>
                    {
                        BenchResult result = await StrongAuthScenario.MeasureAsync(bench, Target(app, label), bench.Scaled(100), number).ConfigureAwait(false);
                        result.Extra["launcher"] = LauncherName(app);
                        outcomes.Emit(result);
                    }, () => app.OutputTail()).ConfigureAwait(false);
                    int at = apps.FindIndex(a => a.App == app);
                    apps[at] = (app, DateTimeOffset.UtcNow);
                }
            }

            if (options.Runs(PinAfterIdleScenario.Name) && apps.Count > 0)
            {
                // The hosts run side by side anyway: their back-off waits overlap, their work does not.
                FunctionsHostApp[] order = [.. outcomes.Turn(apps).Select(a => a.App)];
                PinAfterIdleScenario.Subject[] subjects = [.. order.Select((app, i) => new PinAfterIdleScenario.Subject(app.Config, i + 1, label =>
                    Task.FromResult(new PinAfterIdleScenario.Session(Target(app, label), Owned: null))))];
                Task<BenchResult>[] runs = await PinAfterIdleScenario.RunAsync(bench, subjects, bench.Scaled(20)).ConfigureAwait(false);
                for (int i = 0; i < runs.Length; i++)
                {
                    FunctionsHostApp app = order[i];
                    Task<BenchResult> finished = runs[i];
                    await outcomes.Attempt($"{PinAfterIdleScenario.Name}/{app.Config.Name}", async () =>
                    {
                        BenchResult result = await finished.ConfigureAwait(false);
                        result.Extra["launcher"] = LauncherName(app);
                        outcomes.Emit(result);
                    }, () => app.OutputTail()).ConfigureAwait(false);
                }

                // The PINs woke every host's pollers: idle waits for them to back off again.
                for (int i = 0; i < apps.Count; i++)
                {
                    apps[i] = (apps[i].App, DateTimeOffset.UtcNow);
                }
            }

            if (options.Runs("azurite-ceiling"))
            {
                await outcomes.Attempt("azurite-ceiling", async () => outcomes.Emit(await EngineScenarios.AzuriteCeilingAsync(bench, bench.Scaled(2000), 32, host: "functions").ConfigureAwait(false))).ConfigureAwait(false);
                await outcomes.Attempt("azurite-ceiling/via-proxy", async () =>
                {
                    await using CountingStorageProxy proxy = CountingStorageProxy.Start(azurite.Ports, azurite.ConnectionString);
                    outcomes.Emit(await EngineScenarios.AzuriteCeilingAsync(
                        bench, bench.Scaled(2000), 32, proxy.ConnectionString, "azurite-via-proxy", "functions", proxy.Counts.ReadAll).ConfigureAwait(false));
                }).ConfigureAwait(false);
            }

            if (options.Runs("idle") && apps.Count > 0)
            {
                await outcomes.Attempt("idle", async () =>
                {
                    foreach (BenchResult result in await IdleAsync(bench, apps, options.IdleWindow).ConfigureAwait(false))
                    {
                        outcomes.Emit(result);
                    }
                }).ConfigureAwait(false);
            }
        }
        finally
        {
            Progress.Set("stopping the Functions hosts, the simulator and Azurite");
            foreach ((FunctionsHostApp app, _) in apps)
            {
                try
                {
                    await app.DisposeAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (e is TimeoutException or InvalidOperationException or IOException)
                {
                    Progress.Note($"stopping the {app.Config.Name} host: {e.Message}");
                }
            }
        }

        return await outcomes.ReportAsync(configs).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>idle</c> through the Functions hosts: every storage request each host and its worker send with nothing to
    /// do (queue polling, leases, the host's own lock), counted by its proxy over one common window once every host's
    /// pollers have backed off.
    /// </summary>
    private static async Task<List<BenchResult>> IdleAsync(BenchContext bench, IReadOnlyList<(FunctionsHostApp App, DateTimeOffset IdleSince)> apps, TimeSpan measure)
    {
        CancellationToken ct = bench.CancellationToken;
        DateTimeOffset settled = apps.Max(a => a.IdleSince + EngineScenarios.SettleTime(a.App.Config));
        if (settled > DateTimeOffset.UtcNow)
        {
            Progress.Set("idle", () => $"letting the pollers back off, {Math.Max(0, (settled - DateTimeOffset.UtcNow).TotalSeconds):F0} s left");
            await Task.Delay(settled - DateTimeOffset.UtcNow, ct).ConfigureAwait(false);
        }

        DateTimeOffset end = DateTimeOffset.UtcNow + measure;
        Progress.Set("idle", () => $"counting for {measure.TotalSeconds:F0} s, {Math.Max(0, (end - DateTimeOffset.UtcNow).TotalSeconds):F0} s left");
        StorageCount[] hubBefore = [.. apps.Select(a => a.App.Proxy.Counts.Read(a.App.HubName, withUnattributed: false))];
        Window[] windows = [.. apps.Select(a => Window.Begin(a.App.Proxy.Counts.ReadAll, bench.Cpu, a.App.GroupCpu))];
        await Task.Delay(measure, ct).ConfigureAwait(false);

        return [.. apps.Select((a, i) =>
        {
            Window window = windows[i].End();
            long hub = a.App.Proxy.Counts.Read(a.App.HubName, withUnattributed: false).Minus(hubBefore[i]).Total;
            return new BenchResult
            {
                Scenario = "idle",
                Config = a.App.Config.Name,
                Host = "functions",
                Instances = 0,
                Window = window,
                Unit = $"storage requests per minute with nothing to do, everything the host and its worker sent (task hub, host lock, app tables): counted over {window.Seconds:F0} s after the pollers backed off, times 60/{window.Seconds:F0}",
                Extra =
                {
                    ["storage_requests_per_minute"] = window.Storage.Total * 60 / window.Seconds,
                    ["task_hub_requests_per_minute"] = hub * 60 / window.Seconds,
                    ["other_requests_per_minute"] = (window.Storage.Total - hub) * 60 / window.Seconds,
                    ["settle_s"] = EngineScenarios.SettleTime(a.App.Config).TotalSeconds,
                    ["unparsed_connections"] = a.App.Proxy.UnparsedConnections,
                },
            };
        })];
    }
}
