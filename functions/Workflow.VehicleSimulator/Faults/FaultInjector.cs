namespace Workflow.VehicleSimulator.Faults;

/// <summary>Queued faults for the vehicle API paths, taken one per matching request, in the order they were added.</summary>
internal sealed class FaultInjector(TimeProvider time)
{
    /// <summary>Prefix of the paths faults apply to: the control endpoints must keep working while the API "fails".</summary>
    public const string ApiPathPrefix = "/v1/";

    private readonly Lock _gate = new();
    private readonly List<FaultRule> _rules = [];

    public void Add(FaultRule rule)
    {
        lock (_gate)
        {
            _rules.Add(rule);
        }
    }

    /// <summary>Takes one use of the first fault that matches the path; null when none does.</summary>
    public FaultHit? TryTake(string path)
    {
        lock (_gate)
        {
            var index = _rules.FindIndex(r => Matches(r.Path, path));
            if (index < 0)
            {
                return null;
            }

            var rule = _rules[index];
            if (rule.Remaining <= 1)
            {
                _rules.RemoveAt(index);
            }
            else
            {
                _rules[index] = rule with { Remaining = rule.Remaining - 1 };
            }

            var delay = rule.DelayMs > 0
                ? Task.Delay(TimeSpan.FromMilliseconds(rule.DelayMs), time, CancellationToken.None)
                : Task.CompletedTask;
            return new FaultHit(rule.Status, delay);
        }
    }

    /// <summary>No path: every vehicle API path; a path ending with <c>/</c> (e.g. <c>/v1/pims/</c>): every path under it; otherwise that path.</summary>
    public static bool Matches(string? rule, string path) =>
        rule is null
        || (rule.EndsWith('/') ? path.StartsWith(rule, StringComparison.OrdinalIgnoreCase) : string.Equals(rule, path, StringComparison.OrdinalIgnoreCase));

    public IReadOnlyList<FaultRule> List()
    {
        lock (_gate)
        {
            return [.. _rules];
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _rules.Clear();
        }
    }
}
