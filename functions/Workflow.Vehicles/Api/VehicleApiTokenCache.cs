using Microsoft.Extensions.Options;
using Workflow.Vehicles.Options;

namespace Workflow.Vehicles.Api;

/// <summary>
/// The gateway access token shared by every <see cref="VehicleApiClient"/> of the process (the typed
/// client itself is short-lived). Kept until <see cref="VehicleApiOptions.TokenRefreshMargin"/> before it
/// expires; one caller fetches a new one while the others wait for it.
/// </summary>
public sealed class VehicleApiTokenCache : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly TimeProvider _time;
    private readonly TimeSpan _margin;
    private CachedToken? _current;

    /// <summary>Creates an empty cache.</summary>
    public VehicleApiTokenCache(TimeProvider time, IOptions<VehicleApiOptions> options)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(options);
        _time = time;
        _margin = options.Value.TokenRefreshMargin;
    }

    /// <summary>
    /// Returns a token that is not about to expire, fetching one with <paramref name="fetch"/> when needed.
    /// </summary>
    /// <param name="rejected">A token the gateway just refused (401); it is replaced even if it looks valid.</param>
    /// <param name="fetch">Fetches a new token and says how long it lives.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public async Task<string> GetAsync(string? rejected, Func<CancellationToken, Task<(string Token, TimeSpan Lifetime)>> fetch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fetch);
        if (Usable(rejected) is { } token)
        {
            return token;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another caller may have refreshed it while this one waited.
            if (Usable(rejected) is { } refreshed)
            {
                return refreshed;
            }

            (string value, TimeSpan lifetime) = await fetch(cancellationToken).ConfigureAwait(false);
            TimeSpan keep = lifetime > _margin ? lifetime - _margin : lifetime / 2;
            Volatile.Write(ref _current, new CachedToken(value, _time.GetUtcNow() + keep));
            return value;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _gate.Dispose();

    private string? Usable(string? rejected)
    {
        CachedToken? current = Volatile.Read(ref _current);
        return current is not null && current.Value != rejected && _time.GetUtcNow() < current.RenewAt ? current.Value : null;
    }

    private sealed record CachedToken(string Value, DateTimeOffset RenewAt);
}
