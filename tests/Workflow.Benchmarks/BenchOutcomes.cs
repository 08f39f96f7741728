namespace Workflow.Benchmarks;

/// <summary>
/// What a run has produced, for both hosts (<c>Program</c> on the sidecar, <see cref="FunctionsHostRun"/>): the
/// results (each printed as a BENCH line when it comes), the failed scenarios, and the order in which a scenario takes
/// its configurations.
/// </summary>
internal sealed class BenchOutcomes(BenchOptions options, CancellationToken cancellationToken)
{
    private readonly List<BenchResult> _results = [];
    private readonly List<string> _failures = [];
    private int _round;

    public IReadOnlyList<BenchResult> Results => _results;

    public IReadOnlyList<string> Failures => _failures;

    /// <summary>Keeps the result and prints its BENCH line (and with <c>--verbose</c> its storage requests by kind).</summary>
    public void Emit(BenchResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        _results.Add(result);
        Console.WriteLine("BENCH " + result.ToJson());
        if (options.Verbose)
        {
            result.WriteBreakdown(Console.Error);
        }
    }

    /// <summary>Each scenario runs every configuration back to back, the order turning from one scenario to the next.</summary>
    public IEnumerable<T> Turn<T>(IReadOnlyList<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        int first = _round++ % items.Count;
        return items.Skip(first).Concat(items.Take(first));
    }

    /// <summary>
    /// Runs one scenario (or step): a failure is noted (with <paramref name="details"/>, e.g. the end of a host's
    /// output) and the run goes on; a cancellation of the run is not a failure and ends it.
    /// </summary>
    public async Task Attempt(string what, Func<Task> body, Func<string>? details = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            await body().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _failures.Add($"{what}: {e.GetType().Name}: {e.Message}");
            Progress.Note($"FAILED {what}: {e}" + (details?.Invoke() is { Length: > 0 } more ? "\nhost output (end):\n" + more : string.Empty));
        }
    }

    /// <summary>Prints the summary table and the failures; returns the exit code (0, or 1 when a scenario failed).</summary>
    public async Task<int> ReportAsync(IReadOnlyList<EngineConfig> configs)
    {
        Summary.Print(_results, configs);
        foreach (string failure in _failures)
        {
            await Console.Error.WriteLineAsync("FAILED " + failure).ConfigureAwait(false);
        }

        return _failures.Count == 0 ? 0 : 1;
    }
}
