using System.Text.RegularExpressions;
using Workflow.VehicleSimulator.State;

namespace Workflow.Vehicles.Tests.Infrastructure;

/// <summary>
/// Reads <c>Idempotency-Key</c> values of the shape <c>{instanceId}:{execution: 32 hex digits}:{step}</c>, asserting
/// that shape on the way.
/// </summary>
internal static class IdempotencyKeyShape
{
    /// <summary>Splits <paramref name="key"/> into its execution part and its step, asserting it belongs to <paramref name="instanceId"/>.</summary>
    public static (string Execution, string Step) Parse(string instanceId, string? key)
    {
        Assert.NotNull(key);
        Match match = Regex.Match(key, "^" + Regex.Escape(instanceId) + ":(?<execution>[0-9a-f]{32}):(?<step>[a-z0-9-]+)$", RegexOptions.CultureInvariant);
        Assert.True(match.Success, $"Idempotency key '{key}' is not '{instanceId}:<32 hex digits>:<step>'.");
        return (match.Groups["execution"].Value, match.Groups["step"].Value);
    }

    /// <summary>
    /// The steps of <paramref name="requests"/> in order, after asserting every key has the shape and that they all
    /// share one execution part (returned too).
    /// </summary>
    public static (string Execution, IReadOnlyList<string> Steps) Steps(string instanceId, IEnumerable<RequestLogEntry> requests)
    {
        List<(string Execution, string Step)> keys = [.. requests.Select(r => Parse(instanceId, r.IdempotencyKey))];
        Assert.NotEmpty(keys);
        string execution = keys[0].Execution;
        Assert.All(keys, k => Assert.Equal(execution, k.Execution));
        return (execution, [.. keys.Select(k => k.Step)]);
    }
}
