using System.Collections.Concurrent;
using Azure;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Workflow.Secrets;

/// <summary>
/// An <see cref="ISecretStore"/> over Azure Key Vault's <see cref="SecretClient"/>, with an in-memory cache.
/// </summary>
/// <remarks>
/// <para>
/// A specific version is cached for the life of the store, because Key Vault versions are immutable.
/// The current version is cached for <see cref="SecretStoreOptions.CacheLifetime"/>, so a rotation is picked
/// up within that time. Concurrent misses for the same secret share one request to the vault.
/// </para>
/// <para>
/// Throttling (429) and transient failures are retried by the <see cref="SecretClient"/>'s own retry policy,
/// which waits at least as long as the vault's <c>Retry-After</c> header asks.
/// </para>
/// </remarks>
public sealed partial class KeyVaultSecretStore : ISecretStore
{
    private readonly SecretClient _client;
    private readonly TimeSpan _cacheLifetime;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<CacheKey, CacheEntry> _cache = new();
    private readonly ConcurrentDictionary<CacheKey, Lazy<Task<SecretValue>>> _inFlight = new();

    /// <summary>Creates a store that reads secrets through <paramref name="client"/>.</summary>
    /// <param name="client">The Key Vault client. Its retry options decide how throttling and transient faults are retried.</param>
    /// <param name="options">Caching options; <see langword="null"/> for the defaults.</param>
    /// <param name="timeProvider">The clock that expires cached entries; <see langword="null"/> for the system clock.</param>
    /// <param name="logger">Receives names and versions of secrets read from the vault, never values.</param>
    public KeyVaultSecretStore(
        SecretClient client,
        SecretStoreOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger<KeyVaultSecretStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        options ??= new SecretStoreOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.CacheLifetime, TimeSpan.Zero, nameof(options));
        _client = client;
        _cacheLifetime = options.CacheLifetime;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The vault this store reads from.</summary>
    public Uri VaultUri => _client.VaultUri;

    /// <inheritdoc />
    /// <exception cref="SecretNotFoundException">The vault has no such secret or version (404).</exception>
    /// <exception cref="RequestFailedException">The vault refused the request for another reason, for example 403 when the app's identity lacks the Key Vault Secrets User role.</exception>
    public async ValueTask<SecretValue> GetSecretAsync(string name, string? version, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        cancellationToken.ThrowIfCancellationRequested();

        var key = new CacheKey(name, IsLatest(version) ? null : version);
        if (_cache.TryGetValue(key, out CacheEntry? entry) && _timeProvider.GetUtcNow() < entry.ExpiresAt)
        {
            return entry.Value;
        }

        Lazy<Task<SecretValue>>? candidate = null;
        candidate = new Lazy<Task<SecretValue>>(() => FetchAsync(key, candidate!));
        Lazy<Task<SecretValue>> shared = _inFlight.GetOrAdd(key, candidate);

        // Each caller stops waiting on its own token; the shared request itself is not cancelled by one caller
        // because other callers may be waiting for it (the client's network timeout still bounds it).
        return await shared.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static bool IsLatest(string? version) =>
        string.IsNullOrEmpty(version) || string.Equals(version, "latest", StringComparison.OrdinalIgnoreCase);

    private async Task<SecretValue> FetchAsync(CacheKey key, Lazy<Task<SecretValue>> self)
    {
        try
        {
            LogReading(_logger, key.Name, key.Version ?? "latest", _client.VaultUri);
            Response<KeyVaultSecret> response = await _client
                .GetSecretAsync(key.Name, key.Version, CancellationToken.None)
                .ConfigureAwait(false);

            KeyVaultSecret secret = response.Value;
            string readVersion = secret.Properties.Version ?? key.Version
                ?? throw new InvalidOperationException($"Key Vault {_client.VaultUri} returned secret '{key.Name}' without a version id.");
            var value = new SecretValue(key.Name, readVersion, secret.Value ?? string.Empty);

            // The version just read is immutable, so it is cached for good: a payload protected with the current
            // key is later unprotected by that version without another round trip.
            _cache[key with { Version = readVersion }] = new CacheEntry(value, DateTimeOffset.MaxValue);
            if (key.Version is null && _cacheLifetime > TimeSpan.Zero)
            {
                _cache[key] = new CacheEntry(value, ExpiryFrom(_timeProvider.GetUtcNow()));
            }

            return value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw SecretNotFoundException.InKeyVault(key.Name, key.Version, _client.VaultUri, ex);
        }
        finally
        {
            // Only this fetch's own entry is removed, never a newer fetch that replaced it.
            _inFlight.TryRemove(KeyValuePair.Create(key, self));
        }
    }

    private DateTimeOffset ExpiryFrom(DateTimeOffset now) =>
        _cacheLifetime >= DateTimeOffset.MaxValue - now ? DateTimeOffset.MaxValue : now + _cacheLifetime;

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reading secret {SecretName} (version {SecretVersion}) from Key Vault {VaultUri}.")]
    private static partial void LogReading(ILogger logger, string secretName, string secretVersion, Uri vaultUri);

    private readonly record struct CacheKey(string Name, string? Version);

    private sealed record CacheEntry(SecretValue Value, DateTimeOffset ExpiresAt);
}
