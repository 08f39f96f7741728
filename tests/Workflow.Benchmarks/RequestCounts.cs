using System.Collections.Concurrent;
using System.Globalization;

namespace Workflow.Benchmarks;

/// <summary>
/// Storage requests counted by task hub and by kind of request, whoever saw them: the in-process
/// <see cref="StorageMeter"/> (sidecar) or a <see cref="CountingStorageProxy"/> in front of Azurite (Functions host).
/// </summary>
/// <remarks>
/// A request is attributed to a task hub by the table, queue or container its URL names (all of a hub's resources start
/// with the hub name). Requests that name no registered hub (table batches go to <c>/$batch</c>, table creation to
/// <c>/Tables</c>, the product's own <c>VehiclePinAttempts</c> table, the Functions host's <c>azure-webjobs-hosts</c>
/// container) are kept apart as unattributed.
/// </remarks>
internal sealed class RequestCounts
{
    private const string Unattributed = "";

    private readonly ConcurrentDictionary<(string Bucket, string Kind), Counter> _counts = new();
    private readonly Lock _hubsLock = new();
    private volatile string[] _hubs = [];

    /// <summary>Makes requests that name <paramref name="hubName"/> count for it.</summary>
    public void RegisterHub(string hubName)
    {
        string key = hubName.ToLowerInvariant();
        lock (_hubsLock)
        {
            _hubs = [.. _hubs, key];
        }
    }

    /// <summary>Counts one request to <paramref name="service"/> (<c>blob</c>, <c>queue</c>, <c>table</c>).</summary>
    public void Count(string service, string method, Uri uri)
    {
        (string bucket, string kind) = Classify(service, method, uri);
        Interlocked.Increment(ref _counts.GetOrAdd((bucket, kind), static _ => new Counter()).Value);
    }

    /// <summary>The requests so far that belong to <paramref name="hubName"/>, plus (optionally) the unattributed ones.</summary>
    public StorageCount Read(string hubName, bool withUnattributed)
    {
        string key = hubName.ToLowerInvariant();
        return ReadWhere(bucket => bucket == key || (withUnattributed && bucket.Length == 0));
    }

    /// <summary>Every request so far, whatever it names.</summary>
    public StorageCount ReadAll() => ReadWhere(static _ => true);

    /// <summary>Every counted request so far, whoever sent it.</summary>
    public long Total() => _counts.Values.Sum(counter => Interlocked.Read(ref counter.Value));

    private StorageCount ReadWhere(Func<string, bool> bucket)
    {
        var kinds = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (KeyValuePair<(string Bucket, string Kind), Counter> entry in _counts)
        {
            if (bucket(entry.Key.Bucket))
            {
                kinds[entry.Key.Kind] = kinds.GetValueOrDefault(entry.Key.Kind) + Interlocked.Read(ref entry.Value.Value);
            }
        }

        return new StorageCount(kinds);
    }

    // "/devstoreaccount1/<resource>[/...]": the resource names the hub (tables "<hub>Instances", queues
    // "<hub>-control-00", containers "<hub>-leases"); the kind drops instance-specific parts for the breakdown.
    private (string Bucket, string Kind) Classify(string service, string method, Uri uri)
    {
        string[] segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        string resource = segments.Length > 1 ? Uri.UnescapeDataString(segments[1]) : string.Empty;
        string lower = resource.ToLowerInvariant();
        string bucket = Unattributed;
        string name = resource;
        foreach (string hub in _hubs)
        {
            if (lower.StartsWith(hub, StringComparison.Ordinal))
            {
                bucket = hub;
                name = resource[hub.Length..];
                break;
            }
        }

        string shape = service switch
        {
            "table" when name.EndsWith("()", StringComparison.Ordinal) => " query",
            "table" when name.Contains('(', StringComparison.Ordinal) => " entity",
            "queue" when segments.Length > 3 => " message",
            "queue" when segments.Length > 2 => " messages",
            "blob" when segments.Length > 2 => " blob",
            _ => string.Empty,
        };
        int paren = name.IndexOf('(', StringComparison.Ordinal);
        if (paren >= 0)
        {
            name = name[..paren];
        }

        // "-control-03" → "-control": one kind for all partitions.
        int control = name.IndexOf("-control-", StringComparison.OrdinalIgnoreCase);
        if (control >= 0)
        {
            name = name[..(control + "-control".Length)];
        }

        if (bucket.Length > 0 && name.Length == 0)
        {
            name = "(hub)";
        }

        string query = uri.Query.Contains("comp=", StringComparison.Ordinal)
            ? " " + uri.Query.TrimStart('?').Split('&').First(p => p.StartsWith("comp=", StringComparison.Ordinal))
            : string.Empty;
        return (bucket, string.Create(CultureInfo.InvariantCulture, $"{method} {service} {name}{shape}{query}"));
    }

    private sealed class Counter
    {
        public long Value;
    }
}

/// <summary>Requests counted by kind ("POST table $batch", "GET queue -control messages", …).</summary>
internal sealed record StorageCount(IReadOnlyDictionary<string, long> Kinds)
{
    public long Total => Kinds.Values.Sum();

    public StorageCount Minus(StorageCount earlier) =>
        new(Kinds.ToDictionary(k => k.Key, k => k.Value - earlier.Kinds.GetValueOrDefault(k.Key), StringComparer.Ordinal));
}
