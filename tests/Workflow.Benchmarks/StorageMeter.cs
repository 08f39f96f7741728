using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Workflow.Azurite;

namespace Workflow.Benchmarks;

/// <summary>
/// Counts every request this process sends to Azurite, retries included, by task hub and by kind of request.
/// </summary>
/// <remarks>
/// <para>
/// The engine (DTFx <c>AzureStorageOrchestrationService</c>) builds its own Azure SDK clients inside
/// <c>DurableSidecarServer</c>, which offers no hook to add a pipeline policy to them. So the count is taken one layer
/// below the Azure SDK pipeline, on the wire: an <see cref="ActivityListener"/> on .NET's <c>System.Net.Http</c>
/// activity source sees each HTTP request the SDK's transport sends, one per attempt, which is what DTFx's own
/// per-retry <c>MonitoringHttpPipelinePolicy</c> counts. Only requests to Azurite's three ports are counted.
/// </para>
/// <para>
/// A request is attributed to a task hub by the table, queue or container its URL names (all of a hub's resources
/// start with the hub name). Requests that name no hub (table batches go to <c>/$batch</c>, table creation to
/// <c>/Tables</c>, the product's own <c>VehiclePinAttempts</c> table) are kept apart as unattributed; a measurement
/// adds them to the hub that is doing work, which is sound because an idle engine sends none of them. Requests that
/// the benchmark itself makes to watch instances run inside <see cref="Uncounted"/> and are not counted at all.
/// </para>
/// </remarks>
internal sealed class StorageMeter : IDisposable
{
    private const string HttpSource = "System.Net.Http";
    private const string Unattributed = "";

    private static readonly AsyncLocal<int> s_uncounted = new();

    private readonly Dictionary<int, string> _services;
    private readonly ActivityListener _listener;
    private readonly ConcurrentDictionary<(string Bucket, string Kind), StrongBox> _counts = new();
    private volatile string[] _hubs = [];

    public StorageMeter(AzuritePorts ports)
    {
        _services = new Dictionary<int, string> { [ports.Blob] = "blob", [ports.Queue] = "queue", [ports.Table] = "table" };
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == HttpSource,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = OnStopped,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>Requests sent inside this scope (and by tasks it starts) are not counted: the benchmark's own watching.</summary>
    public static IDisposable Uncounted() => new UncountedScope();

    /// <summary>Makes requests that name <paramref name="hubName"/> count for it.</summary>
    public void RegisterHub(string hubName)
    {
        string key = hubName.ToLowerInvariant();
        lock (_counts)
        {
            _hubs = [.. _hubs, key];
        }
    }

    /// <summary>The requests so far that belong to <paramref name="hubName"/>, plus (optionally) the unattributed ones.</summary>
    public StorageCount Read(string hubName, bool withUnattributed)
    {
        string key = hubName.ToLowerInvariant();
        var kinds = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (KeyValuePair<(string Bucket, string Kind), StrongBox> entry in _counts)
        {
            if (entry.Key.Bucket == key || (withUnattributed && entry.Key.Bucket.Length == 0))
            {
                kinds[entry.Key.Kind] = kinds.GetValueOrDefault(entry.Key.Kind) + Interlocked.Read(ref entry.Value.Value);
            }
        }

        return new StorageCount(kinds);
    }

    /// <summary>Every counted request so far, whoever sent it.</summary>
    public long Total() => _counts.Values.Sum(box => Interlocked.Read(ref box.Value));

    public void Dispose() => _listener.Dispose();

    private void OnStopped(Activity activity)
    {
        if (s_uncounted.Value > 0 || activity.Source.Name != HttpSource)
        {
            return;
        }

        if (activity.GetTagItem("url.full") is not string url || !Uri.TryCreate(url, UriKind.Absolute, out Uri? uri)
            || !_services.TryGetValue(uri.Port, out string? service))
        {
            return;
        }

        string method = activity.GetTagItem("http.request.method") as string ?? "?";
        (string bucket, string kind) = Classify(service, method, uri);
        Interlocked.Increment(ref _counts.GetOrAdd((bucket, kind), static _ => new StrongBox()).Value);
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

    private sealed class StrongBox
    {
        public long Value;
    }

    private sealed class UncountedScope : IDisposable
    {
        private bool _disposed;

        public UncountedScope() => s_uncounted.Value++;

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                s_uncounted.Value--;
            }
        }
    }
}

/// <summary>Requests counted by kind ("POST table $batch", "GET queue -control messages", …).</summary>
internal sealed record StorageCount(IReadOnlyDictionary<string, long> Kinds)
{
    public long Total => Kinds.Values.Sum();

    public StorageCount Minus(StorageCount earlier) =>
        new(Kinds.ToDictionary(k => k.Key, k => k.Value - earlier.Kinds.GetValueOrDefault(k.Key), StringComparer.Ordinal));
}
