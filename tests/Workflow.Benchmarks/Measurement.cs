using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Workflow.Benchmarks;

/// <summary>One BENCH line: a scenario under one configuration.</summary>
internal sealed class BenchResult
{
    public required string Scenario { get; init; }

    public required string Config { get; init; }

    /// <summary>What ran the engine: <c>sidecar</c> (in this process) or <c>functions</c> (the Functions host).</summary>
    public string Host { get; init; } = "sidecar";

    public double? ThroughputPerS { get; init; }

    public double? P50Ms { get; init; }

    public double? P99Ms { get; init; }

    public double? StorageRequestsPerInstance { get; init; }

    public required int Instances { get; init; }

    public required Window Window { get; init; }

    public required string Unit { get; init; }

    public Dictionary<string, object?> Extra { get; init; } = [];

    public string ToJson()
    {
        var line = new Dictionary<string, object?>
        {
            ["scenario"] = Scenario,
            ["config"] = Config,
            ["host"] = Host,
            ["throughput_per_s"] = Round(ThroughputPerS),
            ["p50_ms"] = Round(P50Ms),
            ["p99_ms"] = Round(P99Ms),
            ["storage_requests_per_instance"] = Round(StorageRequestsPerInstance),
        };
        foreach (KeyValuePair<string, object?> extra in Extra)
        {
            line[extra.Key] = extra.Value is double d ? Round(d) : extra.Value;
        }

        line["instances"] = Instances;
        line["duration_s"] = Round(Window.Seconds, 2);
        line["storage_requests"] = Window.Storage.Total;
        line["storage_requests_per_s"] = Round(Window.Storage.Total / Math.Max(Window.Seconds, 0.001));
        line["azurite_cpu_pct"] = Round(Window.AzuriteCpuPercent, 0);
        line["bench_cpu_pct"] = Round(Window.BenchCpuPercent, 0);
        if (Window.HostCpuPercent is { } hostCpu)
        {
            line["functions_host_cpu_pct"] = Round(hostCpu, 0);
        }

        line["load_avg_1m"] = Window.LoadAverage;
        line["azurite_rss_mb"] = Window.AzuriteMemoryMb;
        line["unit"] = Unit;
        return JsonSerializer.Serialize(line);
    }

    /// <summary>The window's storage requests by kind, per instance (<c>--verbose</c>).</summary>
    public void WriteBreakdown(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        int per = Math.Max(1, Instances);
        foreach ((string kind, long count) in Window.Storage.Kinds.Where(k => k.Value > 0).OrderByDescending(k => k.Value))
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"      {kind,-48} {count,7} ({count / (double)per,6:F2} per instance)"));
        }
    }

    public static double? Round(double? value, int digits = 1) =>
        value is null || double.IsNaN(value.Value) || double.IsInfinity(value.Value) ? null : Math.Round(value.Value, digits);
}

/// <summary>Nearest-rank percentiles.</summary>
internal static class Percentiles
{
    public static double? Of(IReadOnlyCollection<double> values, double p)
    {
        if (values.Count == 0)
        {
            return null;
        }

        double[] sorted = [.. values.Order()];
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}

/// <summary>What happened between <c>Begin</c> and <see cref="End"/>: wall time, storage requests (of one hub, or through one proxy), CPU of Azurite, of this process and of a Functions host.</summary>
internal sealed class Window
{
    private readonly Func<StorageCount> _readStorage;
    private readonly CpuClock _cpu;
    private readonly Func<TimeSpan>? _hostCpu;
    private readonly StorageCount _storageBefore;
    private readonly (TimeSpan Azurite, TimeSpan Bench) _cpuBefore;
    private readonly TimeSpan _hostCpuBefore;
    private readonly long _start;

    private Window(Func<StorageCount> readStorage, CpuClock cpu, Func<TimeSpan>? hostCpu)
    {
        _readStorage = readStorage;
        _cpu = cpu;
        _hostCpu = hostCpu;
        _storageBefore = readStorage();
        _cpuBefore = cpu.Read();
        _hostCpuBefore = hostCpu?.Invoke() ?? TimeSpan.Zero;
        _start = Stopwatch.GetTimestamp();
        StartedAt = DateTimeOffset.UtcNow;
    }

    public DateTimeOffset StartedAt { get; }

    public double Seconds { get; private set; }

    public StorageCount Storage { get; private set; } = new(new Dictionary<string, long>());

    public double AzuriteCpuPercent { get; private set; }

    public double BenchCpuPercent { get; private set; }

    /// <summary>CPU of the Functions host and its worker over the window (100 = one core); null for the sidecar.</summary>
    public double? HostCpuPercent { get; private set; }

    /// <summary>The machine's 1-minute load average at the end (Linux), to tell a quiet run from a contended one.</summary>
    public double? LoadAverage { get; private set; }

    /// <summary>Azurite's resident memory at the end, in MiB: it keeps everything in memory.</summary>
    public long? AzuriteMemoryMb { get; private set; }

    /// <summary>
    /// Starts a window over the requests of <paramref name="hub"/>; <paramref name="withUnattributed"/> adds the
    /// requests that name no hub (table batches, the product's own table), which only a working engine sends.
    /// </summary>
    public static Window Begin(StorageMeter meter, string hub, bool withUnattributed, CpuClock cpu) => new(() => meter.Read(hub, withUnattributed), cpu, null);

    /// <summary>
    /// Starts a window over the requests <paramref name="readStorage"/> reads (a proxy's), with the CPU of another
    /// process group (<paramref name="hostCpu"/>: the Functions host and its worker) next to Azurite's and this process's.
    /// </summary>
    public static Window Begin(Func<StorageCount> readStorage, CpuClock cpu, Func<TimeSpan>? hostCpu) => new(readStorage, cpu, hostCpu);

    private static double? ReadLoadAverage()
    {
        try
        {
            string text = File.ReadAllText("/proc/loadavg");
            return double.Parse(text.Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    public Window End()
    {
        Seconds = Stopwatch.GetElapsedTime(_start).TotalSeconds;
        Storage = _readStorage().Minus(_storageBefore);
        (TimeSpan azurite, TimeSpan bench) = _cpu.Read();
        AzuriteCpuPercent = 100 * (azurite - _cpuBefore.Azurite).TotalSeconds / Seconds;
        BenchCpuPercent = 100 * (bench - _cpuBefore.Bench).TotalSeconds / Seconds;
        HostCpuPercent = _hostCpu is null ? null : 100 * (_hostCpu() - _hostCpuBefore).TotalSeconds / Seconds;
        LoadAverage = ReadLoadAverage();
        AzuriteMemoryMb = _cpu.AzuriteMemoryMb();
        return this;
    }
}

/// <summary>CPU time used so far by Azurite (node) and by this process; 100 % is one core.</summary>
internal sealed class CpuClock(int azuriteProcessId)
{
    public long? AzuriteMemoryMb()
    {
        try
        {
            using var node = Process.GetProcessById(azuriteProcessId);
            return node.WorkingSet64 / (1024 * 1024);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    public (TimeSpan Azurite, TimeSpan Bench) Read()
    {
        TimeSpan azurite;
        try
        {
            using var node = Process.GetProcessById(azuriteProcessId);
            azurite = node.TotalProcessorTime;
        }
        catch (ArgumentException)
        {
            azurite = TimeSpan.Zero;
        }

        using Process self = Process.GetCurrentProcess();
        return (azurite, self.TotalProcessorTime);
    }
}

/// <summary>The progress line on standard error: which scenario, how far, every two seconds.</summary>
internal static class Progress
{
    private static readonly Lock s_lock = new();
    private static readonly Stopwatch s_clock = Stopwatch.StartNew();
    private static string s_label = "starting";
    private static Func<string>? s_detail;

    public static void Set(string label, Func<string>? detail = null)
    {
        lock (s_lock)
        {
            s_label = label;
            s_detail = detail;
        }

        Write();
    }

    public static void Note(string text) => Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{s_clock.Elapsed.TotalSeconds,5:F0} s] {text}"));

    public static async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
                Write();
            }
        }
        catch (OperationCanceledException)
        {
            // The run is over.
        }
    }

    private static void Write()
    {
        string line;
        lock (s_lock)
        {
            line = s_detail is null ? s_label : $"{s_label}: {s_detail()}";
        }

        Note("progress " + line);
    }
}
