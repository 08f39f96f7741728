using System.Collections.Concurrent;
using System.Globalization;

namespace Workflow.Benchmarks;

/// <summary>
/// <c>strong-auth-pin-after-idle</c>: the PIN as a person types it, some time after the command asked for it. The
/// commands of <c>strong-auth-command</c> are started through the product's HTTP API until every one awaits its PIN;
/// then nothing happens until the engine's queue pollers have backed off to <c>maxQueuePollingInterval</c> (what the
/// <c>idle</c> scenario waits for: about twice that interval), and only then are the PINs posted, all at once. The PIN
/// event then waits for the next poll of its control queue (and the activities it schedules for the next poll of the
/// work-item queue): PIN posted → completed is what the user of a quiet system sees.
/// </summary>
/// <remarks>
/// The configurations run side by side, so that their back-off waits overlap (df-defaults' alone is about a minute),
/// but never work at the same time: starting a configuration's commands, posting its PINs and stopping its local host
/// take one gate in turn, and a configuration's waits run while another works or waits. A working configuration
/// therefore never shares the machine with another working one, and an idle one sends only its polling (which counts
/// for its own hub, or goes through its own proxy).
/// <para>
/// <c>strong-auth-pin-cross-instance</c> (<see cref="CrossInstanceName"/>, sidecar only) is the same flow with the
/// PINs served by a second instance on the same hub that owns no partition (<see cref="PinOnlyInstance"/>): its
/// enqueue of the PIN event wakes no poller, so the event waits for the owner's next poll of the control queue, as a
/// PIN does on a scaled-out app whose request lands on an instance that does not own the command's partition. Both
/// scenarios' subjects can run in one <see cref="RunAsync"/>, their waits overlapping, their work apart.
/// </para>
/// </remarks>
internal static class PinAfterIdleScenario
{
    public const string Name = "strong-auth-pin-after-idle";

    /// <summary>The same flow, the PINs posted to a second instance that owns no partition of the hub.</summary>
    public const string CrossInstanceName = "strong-auth-pin-cross-instance";

    /// <summary>
    /// The longest back-off wait: a command's PIN round ends after <c>VehicleWorkflow:PinTimeout</c> (5 minutes by
    /// default), and the PINs need time to complete after the wait (up to 2 minutes each).
    /// </summary>
    public static readonly TimeSpan MaxSettle = TimeSpan.FromMinutes(3);

    // Distinct vehicles from strong-auth-command's (runs 1, 2, …) on the same simulator and PIN-lockout tables.
    private const int VinRunOffset = 100;

    /// <summary>
    /// How long this configuration's pollers are left alone before the PINs: <see cref="EngineScenarios.SettleTime"/>
    /// (the idle scenario's wait), at most <see cref="MaxSettle"/>.
    /// </summary>
    public static TimeSpan SettleTime(EngineConfig config)
    {
        TimeSpan settle = EngineScenarios.SettleTime(config);
        return settle < MaxSettle ? settle : MaxSettle;
    }

    /// <summary>
    /// Runs the scenario for every subject and returns one task per subject, all completed (each either a result or
    /// its failure, for the caller to emit or report in its usual way).
    /// </summary>
    public static async Task<Task<BenchResult>[]> RunAsync(BenchContext bench, IReadOnlyList<Subject> subjects, int commands)
    {
        ArgumentNullException.ThrowIfNull(bench);
        ArgumentNullException.ThrowIfNull(subjects);
        using var gate = new SemaphoreSlim(1, 1);
        var states = new ConcurrentDictionary<string, Func<string>>(StringComparer.Ordinal);
        string[] scenarios = [.. subjects.Select(s => s.Scenario).Distinct(StringComparer.Ordinal)];
        string Key(Subject s) => scenarios.Length == 1 ? s.Config.Name : s.Scenario + "/" + s.Config.Name;
        Progress.Set(string.Join(" + ", scenarios), () => string.Join("; ", subjects.Select(s => Key(s) + ": " + (states.TryGetValue(Key(s), out Func<string>? state) ? state() : "waiting for its turn"))));

        // Each subject starts its commands once the one before it has (in the order given), then waits on its own.
        var runs = new Task<BenchResult>[subjects.Count];
        Task previousStarted = Task.CompletedTask;
        for (int i = 0; i < subjects.Count; i++)
        {
            Subject subject = subjects[i];
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            runs[i] = RunOneAsync(bench, subject, commands, gate, previousStarted, started, state => states[Key(subject)] = state);
            previousStarted = started.Task;
        }

        // Every run ends before this returns (its local host stopped): failures are the caller's to report.
        await ((Task)Task.WhenAll(runs)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return runs;
    }

    private static async Task<BenchResult> RunOneAsync(
        BenchContext bench, Subject subject, int commands, SemaphoreSlim gate, Task previousStarted, TaskCompletionSource started, Action<Func<string>> setState)
    {
        CancellationToken ct = bench.CancellationToken;
        EngineConfig config = subject.Config;
        int run = VinRunOffset + subject.RunNumber;
        Session? session = null;
        InstanceWatcher? watcher = null;
        try
        {
            // 1. Start the commands (after the previous subject has started its own), alone on the machine.
            Prepared prepared;
            try
            {
                await previousStarted.ConfigureAwait(false);
                await gate.WaitAsync(ct).ConfigureAwait(false);
                try
                {
                    setState(() => "starting");
                    session = await subject.OpenAsync($"{subject.Scenario}/{config.Name}").ConfigureAwait(false);
                    watcher = new InstanceWatcher(session.Target.Instances);
                    prepared = await PrepareAsync(bench, session, watcher, commands, run, setState).ConfigureAwait(false);
                }
                finally
                {
                    gate.Release();
                }
            }
            finally
            {
                started.TrySetResult();
            }

            // 2. Nothing to do until its pollers have backed off; other configurations may work meanwhile.
            TimeSpan settle = SettleTime(config);
            DateTimeOffset settled = prepared.IdleSince + settle;
            setState(() => $"{commands} awaiting their PIN, pollers backing off, {Math.Max(0, (settled - DateTimeOffset.UtcNow).TotalSeconds):F0} s left");
            TimeSpan left = settled - DateTimeOffset.UtcNow;
            if (left > TimeSpan.Zero)
            {
                await Task.Delay(left, ct).ConfigureAwait(false);
            }

            // 3. The PINs, all at once, alone on the machine again; then the local host stops (still alone).
            setState(() => "backed off, waiting for the machine");
            await gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                BenchResult result = await PinsAsync(bench, subject, session, watcher, prepared, settle, setState).ConfigureAwait(false);
                setState(() => "done");
                await watcher.DisposeAsync().ConfigureAwait(false);
                watcher = null;
                if (session.Owned is { } owned)
                {
                    session = null;
                    await owned.DisposeAsync().ConfigureAwait(false);
                }

                return result;
            }
            finally
            {
                gate.Release();
            }
        }
        finally
        {
            if (watcher is not null)
            {
                await watcher.DisposeAsync().ConfigureAwait(false);
            }

            if (session?.Owned is { } owned)
            {
                await owned.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task<Prepared> PrepareAsync(
        BenchContext bench, Session session, InstanceWatcher watcher, int commands, int run, Action<Func<string>> setState)
    {
        CancellationToken ct = bench.CancellationToken;
        StrongAuthScenario.Target target = session.Target;
        var payloads = new StrongAuthScenario.Payloads(target.Converter);
        setState(() => "warm-up commands");

        // Cross-instance: the warm-up PINs go to the second instance too (its JIT, its gRPC and storage connections).
        await StrongAuthScenario.WarmUpAsync(target.Http, watcher, payloads, run, ct, session.PinInstance?.Http).ConfigureAwait(false);

        int awaiting = 0;
        setState(() => $"{Volatile.Read(ref awaiting)}/{commands} reached AwaitingPin");
        Window window = target.BeginWindow();
        StrongAuthScenario.PendingCommand[] pending = await Task.WhenAll(Enumerable.Range(0, commands).Select(async i =>
        {
            StrongAuthScenario.PendingCommand command = await StrongAuthScenario.StartCommandAsync(target.Http, watcher, payloads, StrongAuthScenario.Vin(run, i), ct).ConfigureAwait(false);
            Interlocked.Increment(ref awaiting);
            return command;
        })).ConfigureAwait(false);
        window.End();
        return new Prepared(payloads, pending, window, DateTimeOffset.UtcNow);
    }

    private static async Task<BenchResult> PinsAsync(
        BenchContext bench, Subject subject, Session session, InstanceWatcher watcher, Prepared prepared, TimeSpan settle, Action<Func<string>> setState)
    {
        CancellationToken ct = bench.CancellationToken;
        EngineConfig config = subject.Config;
        StrongAuthScenario.Target target = session.Target;
        HttpClient pinHttp = session.PinInstance?.Http ?? target.Http;
        int commands = prepared.Commands.Length;

        // Cross-instance: the owner must hold every partition (and the second instance none) when the PINs go out.
        int? partitions = session.PinInstance is { } pinInstance ? await pinInstance.CheckOwnershipAsync(config, ct).ConfigureAwait(false) : null;
        int done = 0;
        setState(() => $"PINs posted, {Volatile.Read(ref done)}/{commands} completed");
        Window window = target.BeginWindow();
        DateTimeOffset posted = DateTimeOffset.UtcNow;
        StrongAuthScenario.CommandTimes[] times = await Task.WhenAll(prepared.Commands.Select(async command =>
        {
            StrongAuthScenario.CommandTimes t = await StrongAuthScenario.SubmitPinAsync(pinHttp, watcher, prepared.Payloads, command, ct).ConfigureAwait(false);
            Interlocked.Increment(ref done);
            return t;
        })).ConfigureAwait(false);
        window.End();

        double[] pinToDone = [.. times.Select(t => (t.Completed - t.PinSent).TotalMilliseconds)];
        double[] toPin = [.. times.Select(t => (t.AwaitingPin - t.Started).TotalMilliseconds)];
        double idle = (posted - prepared.IdleSince).TotalSeconds;
        double polling = config.Settings.MaxQueuePollingInterval.TotalSeconds;
        string through = target.Host == "functions" ? "through the Functions host" : "through the product's HTTP API";
        string pinsThrough = session.PinInstance is null
            ? "the PINs posted at once"
            : "the PINs posted at once to the product's PIN endpoint on a second instance of the hub that owns no partition (its own AzureStorageOrchestrationService, client only, never started)";
        var result = new BenchResult
        {
            Scenario = subject.Scenario,
            Config = target.Config,
            Host = target.Host,
            P50Ms = Percentiles.Of(pinToDone, 0.50),
            P99Ms = Percentiles.Of(pinToDone, 0.99),
            StorageRequestsPerInstance = window.Storage.Total / (double)commands,
            Instances = commands,
            Window = window,
            Unit = string.Create(
                CultureInfo.InvariantCulture,
                $"p50/p99 = PIN posted to completion committed: {commands} strong-auth commands {through} awaiting their PIN, {pinsThrough} after {idle:F0} s with nothing to do (pollers backed off to maxQueuePollingInterval {polling:0.#} s); storage per command from the first PIN to the last completion"),
            Extra =
            {
                ["pin_to_completed_p50_ms"] = Percentiles.Of(pinToDone, 0.50),
                ["pin_to_completed_p99_ms"] = Percentiles.Of(pinToDone, 0.99),
                ["pin_to_completed_min_ms"] = pinToDone.Min(),
                ["pin_http_p50_ms"] = Percentiles.Of([.. times.Select(t => (t.PinAnswered - t.PinSent).TotalMilliseconds)], 0.50),
                ["start_to_awaiting_pin_p50_ms"] = Percentiles.Of(toPin, 0.50),
                ["storage_requests_per_instance_to_awaiting_pin"] = prepared.StartWindow.Storage.Total / (double)commands,
                ["max_queue_polling_interval_s"] = polling,
                ["settle_s"] = settle.TotalSeconds,
                ["idle_before_pins_s"] = idle,
                ["succeeded"] = times.Count(t => t.Outcome == "Succeeded"),
            },
        };
        if (session.PinInstance is not null)
        {
            result.Extra["pin_instance"] = "client-only";
            result.Extra["partitions_owned_by_command_instance"] = partitions;
        }

        return result;
    }

    /// <summary>
    /// One configuration to run: its settings, its number in the run (its vehicles), and how to get the product to
    /// talk to (a local host started for it, which the scenario then owns and stops; or a Functions host already running).
    /// </summary>
    internal sealed record Subject(EngineConfig Config, int RunNumber, Func<string, Task<Session>> OpenAsync, string Scenario = Name);

    /// <summary>
    /// The product of one configuration, and what to stop when done with it (<c>null</c>: the caller's); for
    /// <see cref="CrossInstanceName"/>, the second instance that takes the PINs.
    /// </summary>
    internal sealed record Session(StrongAuthScenario.Target Target, IAsyncDisposable? Owned, PinOnlyInstance? PinInstance = null);

    private sealed record Prepared(
        StrongAuthScenario.Payloads Payloads, StrongAuthScenario.PendingCommand[] Commands, Window StartWindow, DateTimeOffset IdleSince);
}
