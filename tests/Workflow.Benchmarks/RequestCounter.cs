using System.Collections.Concurrent;
using System.Diagnostics;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Workflow.Benchmarks;

/// <summary>
/// Counts every storage request the runtime sends (including retries), the cost that bounds
/// throughput, and keeps count and time per kind of request for the <c>--verbose</c> breakdown.
/// </summary>
internal sealed class RequestCounter : HttpPipelinePolicy
{
    private readonly ConcurrentDictionary<string, Totals> _byKind = new(StringComparer.Ordinal);
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        long start = Begin(message);
        ProcessNext(message, pipeline);
        End(message, start);
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        long start = Begin(message);
        await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        End(message, start);
    }

    /// <summary>Takes the per-kind totals gathered since the last call: (kind, count, mean milliseconds).</summary>
    public IReadOnlyList<(string Kind, long Count, double MeanMs)> TakeBreakdown()
    {
        var taken = new List<(string, long, double)>();
        foreach (string kind in _byKind.Keys)
        {
            if (_byKind.TryRemove(kind, out Totals? totals))
            {
                taken.Add((kind, totals.Count, totals.Count == 0 ? 0 : totals.Ticks / (double)totals.Count / TimeSpan.TicksPerMillisecond));
            }
        }

        return [.. taken.OrderByDescending(t => t.Item2)];
    }

    private long Begin(HttpMessage message)
    {
        Interlocked.Increment(ref _count);
        return Stopwatch.GetTimestamp();
    }

    private void End(HttpMessage message, long start)
    {
        Totals totals = _byKind.GetOrAdd(Kind(message.Request), static _ => new Totals());
        Interlocked.Increment(ref totals.Count);
        Interlocked.Add(ref totals.Ticks, Stopwatch.GetElapsedTime(start).Ticks);
    }

    // "POST table $batch", "GET queue messages", "DELETE queue message": told apart by path, since
    // Azurite's ports are free ones here.
    private static string Kind(Request request)
    {
        string path = request.Uri.Path.TrimEnd('/');
        string tail = path[(path.LastIndexOf('/') + 1)..];
        string resource = tail switch
        {
            "$batch" => "table $batch",
            _ when tail.EndsWith("()", StringComparison.Ordinal) => "table query",
            _ when tail.Contains('(', StringComparison.Ordinal) => "table entity",
            "messages" => "queue messages",
            _ when path.Contains("/messages/", StringComparison.Ordinal) => "queue message",
            _ => "blob or other",
        };
        return $"{request.Method} {resource}";
    }

    private sealed class Totals
    {
        public long Count;
        public long Ticks;
    }
}
