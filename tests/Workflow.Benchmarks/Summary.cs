using System.Globalization;

namespace Workflow.Benchmarks;

/// <summary>The table after the BENCH lines: each configuration against df-defaults, with the issue's targets.</summary>
internal static class Summary
{
    private static readonly Target[] Targets =
    [
        new("sequential-activities", "throughput_per_s", r => r.ThroughputPerS, 2.0, HigherIsBetter: true),
        new("external-events", "throughput_per_s", r => r.ThroughputPerS, 2.0, HigherIsBetter: true),
        new("start-to-complete", "p50_ms", r => r.P50Ms, 0.5, HigherIsBetter: false),
        new("start-to-complete-8-in-flight", "p50_ms", r => r.P50Ms, 0.5, HigherIsBetter: false),
        new("strong-auth-command", "pin_to_completed_p50_ms", r => r.P50Ms, 0.5, HigherIsBetter: false),
        new("strong-auth-command", "start_to_awaiting_pin_p50_ms", r => r.Extra.GetValueOrDefault("start_to_awaiting_pin_p50_ms") as double?, null, HigherIsBetter: false),
        new("strong-auth-command", "storage_requests_per_instance", r => r.StorageRequestsPerInstance, 0.7, HigherIsBetter: false),
        new(PinAfterIdleScenario.Name, "pin_to_completed_p50_ms", r => r.P50Ms, 0.5, HigherIsBetter: false),
        new(PinAfterIdleScenario.CrossInstanceName, "pin_to_completed_p50_ms", r => r.P50Ms, 0.5, HigherIsBetter: false),
        new("idle", "storage_requests_per_minute", r => r.Extra.GetValueOrDefault("storage_requests_per_minute") as double?, 0.7, HigherIsBetter: false),
        new("sequential-activities", "storage_requests_per_activity", r => r.Extra.GetValueOrDefault("storage_requests_per_activity") as double?, null, HigherIsBetter: false),
        new("external-events", "storage_requests_per_instance", r => r.StorageRequestsPerInstance, null, HigherIsBetter: false),
        new("start-to-complete", "storage_requests_per_instance", r => r.StorageRequestsPerInstance, null, HigherIsBetter: false),
    ];

    public static void Print(IReadOnlyList<BenchResult> results, IReadOnlyList<EngineConfig> configs)
    {
        List<EngineConfig> others = [.. configs.Where(c => c.Name != EngineConfig.DefaultsName)];
        if (!configs.Any(c => c.Name == EngineConfig.DefaultsName) || others.Count == 0)
        {
            return;
        }

        Console.WriteLine();
        Console.WriteLine("SUMMARY: ratio = configuration / df-defaults, measured in this run; target = the issue's");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"scenario",-30} {"metric",-30} {"config",-12} {"df-defaults",11} {"value",9} {"ratio",7} {"target",8}  met"));
        foreach (Target target in Targets)
        {
            double? baseline = Value(results, target, EngineConfig.DefaultsName);
            foreach (EngineConfig config in others)
            {
                double? value = Value(results, target, config.Name);
                if (baseline is null || value is null)
                {
                    continue;
                }

                double ratio = baseline.Value == 0 ? double.NaN : value.Value / baseline.Value;
                string goal = target.Ratio is { } r ? (target.HigherIsBetter ? "≥ " : "≤ ") + r.ToString("0.##", CultureInfo.InvariantCulture) : "";
                string met = target.Ratio is { } t ? ((target.HigherIsBetter ? ratio >= t : ratio <= t) ? "yes" : "NO") : "";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{target.Scenario,-30} {target.Metric,-30} {config.Name,-12} {baseline.Value,11:F1} {value.Value,9:F1} {ratio,7:F2} {goal,8}  {met}"));
            }
        }
    }

    private static double? Value(IReadOnlyList<BenchResult> results, Target target, string config) =>
        results.FirstOrDefault(r => r.Scenario == target.Scenario && r.Config == config) is { } result ? target.Read(result) : null;

    private sealed record Target(string Scenario, string Metric, Func<BenchResult, double?> Read, double? Ratio, bool HigherIsBetter);
}
