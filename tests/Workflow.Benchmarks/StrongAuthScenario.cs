using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.DurableTask;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Workflow.LocalHost;

namespace Workflow.Benchmarks;

/// <summary>
/// <c>strong-auth-command</c>: the product itself (<see cref="LocalHostApp"/> in this process: its HTTP API, its
/// orchestrator and activities, on the sidecar over DTFx Azure Storage) against the vehicle simulator. Each command
/// goes 2302 → AwaitingPin → PIN → OTP → retried call → Succeeded, all commands at once.
/// </summary>
internal static class StrongAuthScenario
{
    // The local host's demo command: locking the doors needs strong authentication on the simulator.
    private const string Api = "pims.vehicle.command";
    private static readonly TimeSpan StageTimeout = TimeSpan.FromMinutes(2);

    public static async Task<BenchResult> RunAsync(BenchContext bench, EngineConfig config, string hubName, Uri simulator, int commands, int runNumber)
    {
        string label = $"strong-auth-command/{config.Name}";
        Progress.Set(label, () => "starting the local host");
        await using LocalHostTarget local = await LocalHostTarget.StartAsync(bench, config, hubName, simulator, label).ConfigureAwait(false);
        return await MeasureAsync(bench, local.Target, commands, runNumber).ConfigureAwait(false);
    }

    /// <summary>
    /// The measurement itself, whatever runs the product: 4 warm-up commands, then <paramref name="commands"/> at once
    /// through <see cref="Target.Http"/>, each watched on the engine's Instances table (uncounted).
    /// </summary>
    public static async Task<BenchResult> MeasureAsync(BenchContext bench, Target target, int commands, int runNumber)
    {
        ArgumentNullException.ThrowIfNull(target);
        CancellationToken ct = bench.CancellationToken;
        string label = target.Label;
        HttpClient http = target.Http;
        await using var watcher = new InstanceWatcher(target.Instances);
        var payloads = new Payloads(target.Converter);

        Progress.Set(label, () => "warm-up commands");
        await WarmUpAsync(http, watcher, payloads, runNumber, ct).ConfigureAwait(false);

        int awaiting = 0;
        int done = 0;
        Progress.Set(label, () => $"{Volatile.Read(ref awaiting)}/{commands} reached AwaitingPin, {Volatile.Read(ref done)}/{commands} completed");
        Window window = target.BeginWindow();
        DateTimeOffset start = DateTimeOffset.UtcNow;
        CommandTimes[] times = await Task.WhenAll(Enumerable.Range(0, commands).Select(async i =>
        {
            CommandTimes t = await RunCommandAsync(http, watcher, payloads, Vin(runNumber, i), ct, () => Interlocked.Increment(ref awaiting)).ConfigureAwait(false);
            Interlocked.Increment(ref done);
            return t;
        })).ConfigureAwait(false);
        window.End();

        double[] toPin = [.. times.Select(t => (t.AwaitingPin - t.Started).TotalMilliseconds)];
        double[] pinToDone = [.. times.Select(t => (t.Completed - t.PinSent).TotalMilliseconds)];
        double[] total = [.. times.Select(t => (t.Completed - t.Started).TotalMilliseconds)];
        int succeeded = times.Count(t => t.Outcome == "Succeeded");
        string through = target.Host == "functions" ? "through the Functions host" : "through the product's HTTP API";
        return new BenchResult
        {
            Scenario = "strong-auth-command",
            Config = target.Config,
            Host = target.Host,
            ThroughputPerS = commands / (times.Max(t => t.Completed) - start).TotalSeconds,
            P50Ms = Percentiles.Of(pinToDone, 0.50),
            P99Ms = Percentiles.Of(pinToDone, 0.99),
            StorageRequestsPerInstance = window.Storage.Total / (double)commands,
            Instances = commands,
            Window = window,
            Unit = $"commands/s, {commands} at once {through} (2302, PIN, OTP, retried call); p50/p99 = PIN posted to completion committed; storage per command, the PIN-lockout table included",
            Extra =
            {
                ["start_to_awaiting_pin_p50_ms"] = Percentiles.Of(toPin, 0.50),
                ["start_to_awaiting_pin_p99_ms"] = Percentiles.Of(toPin, 0.99),
                ["pin_to_completed_p50_ms"] = Percentiles.Of(pinToDone, 0.50),
                ["pin_to_completed_p99_ms"] = Percentiles.Of(pinToDone, 0.99),
                ["start_to_completed_p50_ms"] = Percentiles.Of(total, 0.50),
                ["start_http_p50_ms"] = Percentiles.Of([.. times.Select(t => (t.StartAnswered - t.Started).TotalMilliseconds)], 0.50),
                ["pin_http_p50_ms"] = Percentiles.Of([.. times.Select(t => (t.PinAnswered - t.PinSent).TotalMilliseconds)], 0.50),
                ["succeeded"] = succeeded,
            },
        };
    }

    /// <summary>
    /// Warm-up: the first commands of a host pay for JIT and for claiming the partitions. Their PINs go to
    /// <paramref name="pinHttp"/> when given (another instance's API), else to <paramref name="http"/>.
    /// </summary>
    public static Task WarmUpAsync(HttpClient http, InstanceWatcher watcher, Payloads payloads, int runNumber, CancellationToken ct, HttpClient? pinHttp = null) =>
        Task.WhenAll(Enumerable.Range(0, 4).Select(i => RunCommandAsync(http, watcher, payloads, Vin(runNumber, 900 + i), ct, pinHttp: pinHttp)));

    private static async Task<CommandTimes> RunCommandAsync(
        HttpClient http, InstanceWatcher watcher, Payloads payloads, string vin, CancellationToken ct, Action? onAwaitingPin = null, HttpClient? pinHttp = null)
    {
        PendingCommand pending = await StartCommandAsync(http, watcher, payloads, vin, ct).ConfigureAwait(false);
        onAwaitingPin?.Invoke();
        return await SubmitPinAsync(pinHttp ?? http, watcher, payloads, pending, ct).ConfigureAwait(false);
    }

    /// <summary>Starts one strong-auth command through the API and waits until its row says AwaitingPin.</summary>
    public static async Task<PendingCommand> StartCommandAsync(HttpClient http, InstanceWatcher watcher, Payloads payloads, string vin, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(watcher);
        ArgumentNullException.ThrowIfNull(payloads);
        DateTimeOffset started = DateTimeOffset.UtcNow;
        using HttpResponseMessage start = await http.PostAsJsonAsync("api/commands", new { vin, api = Api, parameters = new { action = "doors", doorState = "lock" } }, ct).ConfigureAwait(false);
        if (start.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"POST /api/commands answered {(int)start.StatusCode}: {await start.Content.ReadAsStringAsync(ct).ConfigureAwait(false)}");
        }

        using JsonDocument started202 = JsonDocument.Parse(await start.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
        string id = started202.RootElement.GetProperty("id").GetString()!;
        string pinUri = started202.RootElement.GetProperty("pinPostUri").GetString()!;
        DateTimeOffset startAnswered = DateTimeOffset.UtcNow;

        InstanceRow awaiting = await watcher.WaitAsync(id, r => payloads.Stage(r) == "AwaitingPin" || r.IsTerminal, StageTimeout, ct).ConfigureAwait(false);
        if (awaiting.IsTerminal)
        {
            throw new InvalidOperationException($"Command {id} ended {awaiting.RuntimeStatus} before asking for the PIN: {awaiting.Output}");
        }

        return new PendingCommand(id, pinUri, started, startAnswered, awaiting.Timestamp);
    }

    /// <summary>Posts the PIN of a command that awaits it and waits until the command's completion is committed.</summary>
    public static async Task<CommandTimes> SubmitPinAsync(HttpClient http, InstanceWatcher watcher, Payloads payloads, PendingCommand command, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(watcher);
        ArgumentNullException.ThrowIfNull(payloads);
        ArgumentNullException.ThrowIfNull(command);
        DateTimeOffset pinSent = DateTimeOffset.UtcNow;
        using HttpResponseMessage pin = await http.PostAsJsonAsync(command.PinUri.TrimStart('/'), new { pin = "123456" }, ct).ConfigureAwait(false);
        if (pin.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"POST {CommandPath(command.PinUri)} answered {(int)pin.StatusCode}: {await pin.Content.ReadAsStringAsync(ct).ConfigureAwait(false)}");
        }

        DateTimeOffset pinAnswered = DateTimeOffset.UtcNow;
        InstanceRow completed = await watcher.WaitAsync(command.Id, r => r.IsTerminal, StageTimeout, ct).ConfigureAwait(false);
        return new CommandTimes(
            command.Started, command.StartAnswered, command.AwaitingPin, pinSent, pinAnswered, completed.Timestamp, completed.IsCompleted ? payloads.Outcome(completed) : completed.RuntimeStatus);
    }

    // The token is a credential: never in a message.
    private static string CommandPath(string pinUri) => pinUri.Split('?')[0];

    // 17 characters without I, O or Q, one vehicle per command and run: no shared simulator or lockout state.
    public static string Vin(int run, int index) => string.Create(CultureInfo.InvariantCulture, $"VF7BENCH{run:D3}{index:D6}");

    /// <summary>Reads the command's custom status and output from the engine's row, through the product's converter.</summary>
    internal sealed class Payloads(DataConverter converter)
    {
        public string? Stage(InstanceRow row) => Property(row.CustomStatus, "stage");

        public string? Outcome(InstanceRow row) => Property(row.Output, "outcome");

        private string? Property(string? payload, string name)
        {
            if (string.IsNullOrEmpty(payload))
            {
                return null;
            }

            JsonElement value = converter.Deserialize<JsonElement>(payload);
            return value.ValueKind == JsonValueKind.Object && value.TryGetProperty(name, out JsonElement property) ? property.GetString() : null;
        }
    }

    /// <summary>What runs the product: its HTTP API (with the function key), its Instances table, its payload converter, how to count its storage.</summary>
    internal sealed record Target(string Label, string Config, string Host, HttpClient Http, InstanceTable Instances, DataConverter Converter, Func<Window> BeginWindow);

    /// <summary>A command started through the API that awaits its PIN (<paramref name="AwaitingPin"/>: when its row said so).</summary>
    internal sealed record PendingCommand(string Id, string PinUri, DateTimeOffset Started, DateTimeOffset StartAnswered, DateTimeOffset AwaitingPin);

    internal sealed record CommandTimes(
        DateTimeOffset Started, DateTimeOffset StartAnswered, DateTimeOffset AwaitingPin, DateTimeOffset PinSent, DateTimeOffset PinAnswered, DateTimeOffset Completed, string? Outcome);
}

/// <summary>
/// The product in this process for one configuration: <see cref="LocalHostApp"/> on its own task hub with the
/// configuration's settings, its HTTP API with the function key, as a <see cref="StrongAuthScenario.Target"/>.
/// </summary>
internal sealed class LocalHostTarget : IAsyncDisposable
{
    private const string FunctionKey = "bench-function-key-0123456789";

    private readonly LocalHostApp _app;
    private readonly HttpClient _http;

    private LocalHostTarget(LocalHostApp app, HttpClient http, StrongAuthScenario.Target target, string hubName, IReadOnlyDictionary<string, string?> settings)
    {
        _app = app;
        _http = http;
        Target = target;
        HubName = hubName;
        Settings = settings;
    }

    public StrongAuthScenario.Target Target { get; }

    /// <summary>The task hub the local host's engine serves (and owns every partition of: it is its only worker).</summary>
    public string HubName { get; }

    /// <summary>The engine's worker id: the owner the hub's partition table names.</summary>
    public string WorkerId => WorkerIdOf(HubName);

    /// <summary>The configuration the local host was started with (secrets and data-protection key included).</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; }

    public static async Task<LocalHostTarget> StartAsync(BenchContext bench, EngineConfig config, string hubName, Uri simulator, string label)
    {
        ArgumentNullException.ThrowIfNull(bench);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(simulator);
        bench.Meter.RegisterHub(hubName);
        var settings = new Dictionary<string, string?>(config.LocalHostOverrides(hubName), StringComparer.OrdinalIgnoreCase)
        {
            ["AzureWebJobsStorage"] = bench.ConnectionString,
            ["VehicleApi:BaseUrl"] = simulator.AbsoluteUri,
            ["LocalStack:Enabled"] = "false",
            ["LocalStack:PrintDemo"] = "false",
            ["Functions:DefaultKey"] = FunctionKey,
            ["Secrets:data-protection-key"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Secrets:vehicle-api-client-id"] = "local-dev-client",
            ["Secrets:vehicle-api-client-secret"] = "local-dev-secret",
            ["LocalHost:WorkerId"] = WorkerIdOf(hubName),
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:Console:LogToStandardErrorThreshold"] = "Trace",
        };

        LocalHostApp app = await LocalHostApp.StartAsync(
            ["--environment=Development", "--contentRoot=" + AppContext.BaseDirectory, "--urls=http://127.0.0.1:0"],
            builder => builder.Configuration.AddInMemoryCollection(settings),
            bench.CancellationToken).ConfigureAwait(false);
        var http = new HttpClient { BaseAddress = app.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Add("x-functions-key", FunctionKey);

        // The product may seal every payload it hands the engine (custom status and output included): read them back
        // with its own converter, as its status endpoint does, without a counted status request.
        var target = new StrongAuthScenario.Target(
            label,
            config.Name,
            "sidecar",
            http,
            new InstanceTable(bench.ConnectionString, hubName),
            app.Services.GetRequiredService<DataConverter>(),
            () => Window.Begin(bench.Meter, hubName, withUnattributed: true, bench.Cpu));
        return new LocalHostTarget(app, http, target, hubName, settings);
    }

    private static string WorkerIdOf(string hubName) => "bench-" + hubName;

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
