using System.Diagnostics;
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

    private static readonly AsyncLocal<int> s_uncounted = new();

    private readonly Dictionary<int, string> _services;
    private readonly ActivityListener _listener;
    private readonly RequestCounts _counts = new();

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
    public void RegisterHub(string hubName) => _counts.RegisterHub(hubName);

    /// <summary>The requests so far that belong to <paramref name="hubName"/>, plus (optionally) the unattributed ones.</summary>
    public StorageCount Read(string hubName, bool withUnattributed) => _counts.Read(hubName, withUnattributed);

    /// <summary>Every counted request so far, whoever sent it.</summary>
    public long Total() => _counts.Total();

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

        _counts.Count(service, activity.GetTagItem("http.request.method") as string ?? "?", uri);
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
