using Workflow.VehicleSimulator.State;

namespace Workflow.LocalHost.Tests.Support;

/// <summary>What the simulator's request log says about the upstream calls of a command.</summary>
internal static class RequestLog
{
    public const string OtpApi = "pims.authentication.otp";

    /// <summary>Requests the simulator executed (answered 200 from its logic, not from its idempotency cache).</summary>
    public static IReadOnlyList<RequestLogEntry> Executed(IEnumerable<RequestLogEntry> entries)
        => [.. entries.Where(e => !e.Replayed && e.HttpStatus == 200)];

    /// <summary>
    /// Every logical call (idempotency key) executed exactly once: replays of a key are allowed (a redelivered activity
    /// sends the same key again), a second execution is not. Returns the message for a failed assertion, or null.
    /// </summary>
    public static string? EachKeyExecutedOnce(IEnumerable<RequestLogEntry> entries)
    {
        List<RequestLogEntry> all = [.. entries];
        if (all.FirstOrDefault(e => string.IsNullOrEmpty(e.IdempotencyKey)) is { } keyless)
        {
            return $"A request came without an Idempotency-Key: {keyless}";
        }

        IEnumerable<string> wrong = all.GroupBy(e => e.IdempotencyKey!)
            .Select(g => (Key: g.Key, Executions: g.Count(e => !e.Replayed && e.HttpStatus == 200), Requests: g.ToList()))
            .Where(g => g.Executions != 1)
            .Select(g => $"{g.Key}: {g.Executions} executions in {g.Requests.Count} requests ({string.Join("; ", g.Requests)})");
        string message = string.Join("\n", wrong);
        return message.Length == 0 ? null : message;
    }

    public static string Describe(IEnumerable<RequestLogEntry> entries)
        => string.Join("\n", entries.Select(e => $"{e.At:O} {e.Api} otp={e.HasOtp} key={e.IdempotencyKey} replayed={e.Replayed} http={e.HttpStatus} {e.Status} {e.ErrorCode}"));
}
