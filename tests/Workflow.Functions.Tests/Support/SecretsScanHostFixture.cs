using Workflow.Testing;

namespace Workflow.Functions.Tests.Support;

/// <summary>
/// A Functions host of its own for the secrets scan: on an Azurite of its own (<see cref="AzuriteServer.StartAsync"/>), so a
/// scan of the account sees this test's data and nothing else, reached through a <see cref="StorageWireTap"/>, so the test
/// also sees every byte the host and the worker exchanged with storage; with its own simulator (the base fixture starts
/// one per fixture) and logging turned all the way up, so the host's output is the most a log could hold.
/// </summary>
public sealed class SecretsScanHostFixture : FunctionsHostFixture
{
    private AzuriteServer? _azurite;
    private StorageWireTap? _tap;

    /// <summary>
    /// Short, because the scan waits for the PIN deadline timers to fall due (a timer stays invisible in its control queue
    /// until then), and long enough for a test that sends each PIN as soon as the command asks for it.
    /// </summary>
    public override TimeSpan PinTimeout => TimeSpan.FromSeconds(12);

    /// <summary>This fixture's Azurite, for the scan (which reads it directly, not through the tap).</summary>
    internal AzuriteServer Azurite => _azurite ?? throw new InvalidOperationException("Not started.");

    /// <summary>What the hosts exchanged with <see cref="Azurite"/>.</summary>
    internal StorageWireTap Tap => _tap ?? throw new InvalidOperationException("Not started.");

    /// <inheritdoc/>
    public override async Task DisposeAsync()
    {
        // The host first (the base class): it needs storage to stop cleanly.
        await base.DisposeAsync().ConfigureAwait(false);
        if (_tap is not null)
        {
            await _tap.DisposeAsync().ConfigureAwait(false);
        }

        if (_azurite is not null)
        {
            await _azurite.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    protected override async Task<string> StartStorageAsync()
    {
        _azurite = await AzuriteServer.StartAsync(CancellationToken.None).ConfigureAwait(false);
        _tap = StorageWireTap.Start(_azurite);
        return _tap.ConnectionString;
    }

    /// <inheritdoc/>
    protected override void AddHostSettings(IDictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);

        // Everything the host logs, the Durable extension and DTFx included, and the worker's own logs (its filter first).
        settings["AzureFunctionsJobHost__logging__logLevel__default"] = "Trace";
        settings["AzureFunctionsJobHost__logging__logLevel__DurableTask.AzureStorage"] = "Trace";
        settings["AzureFunctionsJobHost__logging__logLevel__DurableTask.Core"] = "Trace";
        settings["AzureFunctionsJobHost__logging__logLevel__Host.Triggers.DurableTask"] = "Trace";
        settings["AzureFunctionsJobHost__logging__logLevel__Function"] = "Trace";
        settings["Logging__LogLevel__Default"] = "Trace";

        // The Durable extension then writes every input, output and event payload into its tracking logs: whatever the
        // engine was handed shows in the host's output too.
        settings["AzureFunctionsJobHost__extensions__durableTask__tracing__traceInputsAndOutputs"] = "true";
        settings["AzureFunctionsJobHost__extensions__durableTask__tracing__traceReplayEvents"] = "true";

        // The storage SDK stays at Error (the base fixture's choice): at Information it logs each request's URL and headers,
        // which the tap records in full, bodies included.
    }
}
