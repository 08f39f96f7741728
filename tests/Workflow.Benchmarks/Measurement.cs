using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Workflow.Benchmarks;

/// <summary>One BENCH line: a scenario under one configuration.</summary>
internal sealed class BenchResult
{
    public required string Scenario { get; init; }

    public required string Config { get; init; }

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
        line["load_avg_1m"] = Window.LoadAverage;
        line["azurite_rss_mb"] = Window.AzuriteMemoryMb;
        line["unit"] = Unit;
        return JsonSerializer.Serialize(line);
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

/// <summary>What happened between <see cref="Begin"/> and <see cref="End"/>: wall time, storage requests of one hub, CPU of Azurite and of this process.</summary>
internal sealed class Window
{
    private readonly StorageMeter _meter;
    private readonly string _hub;
    private readonly bool _withUnattributed;
    private readonly CpuClock _cpu;
    private readonly StorageCount _storageBefore;
    private readonly (TimeSpan Azurite, TimeSpan Bench) _cpuBefore;
    private readonly long _start;

    private Window(StorageMeter meter, string hub, bool withUnattributed, CpuClock cpu)
    {
        _meter = meter;
        _hub = hub;
        _withUnattributed = withUnattributed;
        _cpu = cpu;
        _storageBefore = meter.Read(hub, withUnattributed);
        _cpuBefore = cpu.Read();
        _start = Stopwatch.GetTimestamp();
        StartedAt = DateTimeOffset.UtcNow;
    }

    public DateTimeOffset StartedAt { get; }

    public double Seconds { get; private set; }

    public StorageCount Storage { get; private set; } = new(new Dictionary<string, long>());

    public double AzuriteCpuPercent { get; private set; }

    public double BenchCpuPercent { get; private set; }

    /// <summary>The machine's 1-minute load average at the end (Linux), to tell a quiet run from a contended one.</summary>
    public double? LoadAverage { get; private set; }

    /// <summary>Azurite's resident memory at the end, in MiB: it keeps everything in memory.</summary>
    public long? AzuriteMemoryMb { get; private set; }

    /// <summary>
    /// Starts a window over the requests of <paramref name="hub"/>; <paramref name="withUnattributed"/> adds the
    /// requests that name no hub (table batches, the product's own table), which only a working engine sends.
    /// </summary>
    public static Window Begin(StorageMeter meter, string hub, bool withUnattributed, CpuClock cpu) => new(meter, hub, withUnattributed, cpu);

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
        Storage = _meter.Read(_hub, _withUnattributed).Minus(_storageBefore);
        (TimeSpan azurite, TimeSpan bench) = _cpu.Read();
        AzuriteCpuPercent = 100 * (azurite - _cpuBefore.Azurite).TotalSeconds / Seconds;
        BenchCpuPercent = 100 * (bench - _cpuBefore.Bench).TotalSeconds / Seconds;
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
