using System.Net;
using Microsoft.Extensions.Time.Testing;
using Workflow.Testing.KeyVault;

namespace Workflow.Secrets.Tests;

/// <summary><see cref="KeyVaultSecretStore"/> against the fake vault through the real SecretClient.</summary>
public sealed class KeyVaultSecretStoreTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task GetsTheCurrentVersionAfterTheChallenge()
    {
        using var vault = new FakeKeyVaultHandler();
        string version = vault.SetSecret(SecretNames.VehicleApiClientSecret, "s3cr3t");
        KeyVaultSecretStore store = CreateStore(vault);

        SecretValue secret = await store.GetSecretAsync(SecretNames.VehicleApiClientSecret, null, CancellationToken.None);

        Assert.Equal(SecretNames.VehicleApiClientSecret, secret.Name);
        Assert.Equal(version, secret.Version);
        Assert.Equal("s3cr3t", secret.Value);
        Assert.Equal(vault.VaultUri, store.VaultUri);
        Assert.Contains(vault.Requests, r => r.StatusCode == HttpStatusCode.Unauthorized && !r.HadBearerToken);
    }

    [Fact]
    public async Task GetsASpecificVersionAfterRotation()
    {
        using var vault = new FakeKeyVaultHandler();
        string first = vault.SetSecret("rotated", "one");
        string second = vault.SetSecret("rotated", "two");
        KeyVaultSecretStore store = CreateStore(vault);

        SecretValue old = await store.GetSecretAsync("rotated", first, CancellationToken.None);
        SecretValue current = await store.GetSecretAsync("rotated", "latest", CancellationToken.None);

        Assert.Equal(("one", first), (old.Value, old.Version));
        Assert.Equal(("two", second), (current.Value, current.Version));
    }

    [Fact]
    public async Task MissingSecretSaysWhereItLookedAndHowToCreateIt()
    {
        using var vault = new FakeKeyVaultHandler();
        KeyVaultSecretStore store = CreateStore(vault);
        string vaultName = vault.VaultUri.Host.Split('.')[0];

        var error = await Assert.ThrowsAsync<SecretNotFoundException>(
            () => store.GetSecretAsync("missing-secret", null, CancellationToken.None).AsTask());

        Assert.Equal("missing-secret", error.SecretName);
        Assert.Null(error.Version);
        Assert.StartsWith($"Secret 'missing-secret' was not found in vault {vault.VaultUri}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"az keyvault secret set --vault-name {vaultName} --name missing-secret", error.Message, StringComparison.Ordinal);
        Assert.Equal(404, Assert.IsType<Azure.RequestFailedException>(error.InnerException).Status);
    }

    [Fact]
    public async Task MissingVersionSaysWhichVersionAndHowToListThem()
    {
        using var vault = new FakeKeyVaultHandler();
        vault.SetSecret("present", "value");
        KeyVaultSecretStore store = CreateStore(vault);
        const string Unknown = "0123456789abcdef0123456789abcdef";

        var error = await Assert.ThrowsAsync<SecretNotFoundException>(
            () => store.GetSecretAsync("present", Unknown, CancellationToken.None).AsTask());

        Assert.Equal(Unknown, error.Version);
        Assert.Contains($"Version '{Unknown}' of secret 'present' was not found in vault {vault.VaultUri}", error.Message, StringComparison.Ordinal);
        Assert.Contains("az keyvault secret list-versions", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThrottlingIsRetriedAfterTheRetryAfterTheVaultAskedFor()
    {
        using var vault = new FakeKeyVaultHandler();
        vault.SetSecret("busy", "value");
        KeyVaultSecretStore store = CreateStore(vault);
        await store.GetSecretAsync("busy", null, CancellationToken.None); // past the challenge
        vault.ThrottleNextRequests(2, TimeSpan.FromSeconds(1));
        string version = vault.SetSecret("busy", "value-2");

        SecretValue secret = await store.GetSecretAsync("busy", version, CancellationToken.None);

        Assert.Equal("value-2", secret.Value);
        string path = $"/secrets/busy/{version}";
        Assert.Equal(2, vault.CountRequests(path, (HttpStatusCode)429));
        Assert.Equal(1, vault.CountRequests(path, HttpStatusCode.OK));

        // The client's own backoff is 10 ms here, so a retry no sooner than Retry-After (1 s) shows that the
        // header was honoured. Only a lower bound is checked: a slow machine cannot make this fail.
        var attempts = vault.Requests.Where(r => r.Path == path).Select(r => r.ReceivedAt).ToList();
        for (int i = 1; i < attempts.Count; i++)
        {
            Assert.True(attempts[i] - attempts[i - 1] >= TimeSpan.FromMilliseconds(900), $"retry {i} came {(attempts[i] - attempts[i - 1]).TotalMilliseconds} ms after the 429");
        }
    }

    [Fact]
    public async Task SecondGetIsServedFromTheCache()
    {
        using var vault = new FakeKeyVaultHandler();
        vault.SetSecret("cached", "value");
        KeyVaultSecretStore store = CreateStore(vault);

        await store.GetSecretAsync("cached", null, CancellationToken.None);
        int afterFirst = vault.CountRequests("/secrets/cached");
        SecretValue second = await store.GetSecretAsync("cached", null, CancellationToken.None);

        Assert.Equal("value", second.Value);
        Assert.Equal(afterFirst, vault.CountRequests("/secrets/cached"));
    }

    [Fact]
    public async Task CurrentVersionIsReadAgainOnlyAfterTheCacheLifetime()
    {
        using var vault = new FakeKeyVaultHandler();
        vault.SetSecret("rotating", "one");
        KeyVaultSecretStore store = CreateStore(vault, TimeSpan.FromMinutes(5));
        await store.GetSecretAsync("rotating", null, CancellationToken.None);
        int afterFirst = vault.CountRequests("/secrets/rotating", HttpStatusCode.OK);
        string newVersion = vault.SetSecret("rotating", "two");

        _time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        SecretValue stillCached = await store.GetSecretAsync("rotating", null, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(1));
        SecretValue refreshed = await store.GetSecretAsync("rotating", null, CancellationToken.None);

        Assert.Equal("one", stillCached.Value);
        Assert.Equal(("two", newVersion), (refreshed.Value, refreshed.Version));
        Assert.Equal(afterFirst + 1, vault.CountRequests("/secrets/rotating", HttpStatusCode.OK));
    }

    [Fact]
    public async Task ASpecificVersionIsCachedForever()
    {
        using var vault = new FakeKeyVaultHandler();
        string version = vault.SetSecret("pinned", "value");
        KeyVaultSecretStore store = CreateStore(vault, TimeSpan.FromMinutes(5));
        string path = $"/secrets/pinned/{version}";

        await store.GetSecretAsync("pinned", version, CancellationToken.None);
        _time.Advance(TimeSpan.FromDays(30));
        await store.GetSecretAsync("pinned", version, CancellationToken.None);

        Assert.Equal(1, vault.CountRequests(path, HttpStatusCode.OK));
    }

    [Fact]
    public async Task ReadingTheCurrentVersionAlsoCachesItByVersion()
    {
        using var vault = new FakeKeyVaultHandler();
        vault.SetSecret("key", "value");
        KeyVaultSecretStore store = CreateStore(vault);

        SecretValue current = await store.GetSecretAsync("key", null, CancellationToken.None);
        SecretValue byVersion = await store.GetSecretAsync("key", current.Version, CancellationToken.None);

        Assert.Equal(current.Value, byVersion.Value);
        Assert.Equal(0, vault.CountRequests($"/secrets/key/{current.Version}"));
    }

    [Fact]
    public async Task ZeroCacheLifetimeReadsTheCurrentVersionEveryTime()
    {
        using var vault = new FakeKeyVaultHandler();
        vault.SetSecret("uncached", "value");
        KeyVaultSecretStore store = CreateStore(vault, TimeSpan.Zero);

        await store.GetSecretAsync("uncached", null, CancellationToken.None);
        await store.GetSecretAsync("uncached", null, CancellationToken.None);

        Assert.Equal(2, vault.CountRequests("/secrets/uncached", HttpStatusCode.OK));
    }

    [Fact]
    public async Task ConcurrentMissesShareOneRequest()
    {
        using var vault = new FakeKeyVaultHandler();
        vault.SetSecret("popular", "value");
        using var gate = new GatedHandler(vault);
        KeyVaultSecretStore store = CreateStore(vault, transport: gate);

        // Every call is made while the vault is held, so none can be answered from the cache.
        List<Task<SecretValue>> calls = [.. Enumerable.Range(0, 20).Select(_ => store.GetSecretAsync("popular", null, CancellationToken.None).AsTask())];
        gate.Release();
        SecretValue[] results = await Task.WhenAll(calls);

        Assert.All(results, r => Assert.Equal("value", r.Value));
        Assert.Equal(1, vault.CountRequests("/secrets/popular", HttpStatusCode.OK));
    }

    [Fact]
    public async Task ACancelledCallerStopsWaitingWithoutFailingOthersWaitingForTheSameSecret()
    {
        using var vault = new FakeKeyVaultHandler();
        vault.SetSecret("slow", "value");
        using var gate = new GatedHandler(vault);
        KeyVaultSecretStore store = CreateStore(vault, transport: gate);
        using var cancellation = new CancellationTokenSource();

        Task<SecretValue> cancelledCall = store.GetSecretAsync("slow", null, cancellation.Token).AsTask();
        Task<SecretValue> patientCall = store.GetSecretAsync("slow", null, CancellationToken.None).AsTask();
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelledCall);
        gate.Release();

        Assert.Equal("value", (await patientCall).Value);
    }

    [Fact]
    public async Task AnAlreadyCancelledTokenSendsNothing()
    {
        using var vault = new FakeKeyVaultHandler();
        KeyVaultSecretStore store = CreateStore(vault);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => store.GetSecretAsync("anything", null, new CancellationToken(canceled: true)).AsTask());
        Assert.Empty(vault.Requests);
    }

    [Fact]
    public void SecretValueToStringNeverShowsTheValue()
    {
        var secret = new SecretValue("vehicle-api-client-secret", "abc", "super-secret-value");

        Assert.DoesNotContain("super-secret-value", secret.ToString(), StringComparison.Ordinal);
        Assert.Contains("vehicle-api-client-secret", secret.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("super-secret-value", $"{secret}", StringComparison.Ordinal);
    }

    private KeyVaultSecretStore CreateStore(FakeKeyVaultHandler vault, TimeSpan? cacheLifetime = null, HttpMessageHandler? transport = null) =>
        new(
            TestSecretClients.Create(vault, transport: transport),
            new SecretStoreOptions { CacheLifetime = cacheLifetime ?? SecretStoreOptions.DefaultCacheLifetime },
            _time);
}
