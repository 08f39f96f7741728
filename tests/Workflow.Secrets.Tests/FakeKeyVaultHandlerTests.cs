using System.Net;
using Azure;
using Azure.Security.KeyVault.Secrets;
using Workflow.Testing.KeyVault;

namespace Workflow.Secrets.Tests;

/// <summary>The fake speaks the Key Vault protocol well enough for the real <see cref="SecretClient"/>.</summary>
public sealed class FakeKeyVaultHandlerTests
{
    [Fact]
    public async Task FirstRequestIsChallengedAndRetriedWithTheTokenTheChallengeAskedFor()
    {
        using var vault = new FakeKeyVaultHandler();
        vault.SetSecret("greeting", "hello");
        var credential = new StaticTokenCredential("token-1");
        SecretClient client = TestSecretClients.Create(vault, credential);

        KeyVaultSecret secret = (await client.GetSecretAsync("greeting")).Value;

        Assert.Equal("hello", secret.Value);
        Assert.Collection(
            vault.Requests,
            first =>
            {
                Assert.False(first.HadBearerToken);
                Assert.Equal(HttpStatusCode.Unauthorized, first.StatusCode);
            },
            second =>
            {
                Assert.True(second.HadBearerToken);
                Assert.Equal(HttpStatusCode.OK, second.StatusCode);
                Assert.Equal("/secrets/greeting", second.Path);
                Assert.Contains("api-version=", second.Query, StringComparison.Ordinal);
            });
        var tokenRequest = Assert.Single(credential.Requests);
        Assert.Equal(["https://vault.azure.net/.default"], tokenRequest.Scopes);
        Assert.Equal(FakeKeyVaultHandler.DefaultTenantId, tokenRequest.TenantId);
    }

    [Fact]
    public async Task SetAddsVersionsAndEachVersionStaysReadable()
    {
        using var vault = new FakeKeyVaultHandler();
        SecretClient client = TestSecretClients.Create(vault);

        KeyVaultSecret first = (await client.SetSecretAsync(new KeyVaultSecret("rotating", "one") { Properties = { ContentType = "text/plain" } })).Value;
        KeyVaultSecret second = (await client.SetSecretAsync("rotating", "two")).Value;

        Assert.NotEqual(first.Properties.Version, second.Properties.Version);
        Assert.Matches("^[0-9a-f]{32}$", first.Properties.Version);
        Assert.Equal(new Uri(vault.VaultUri, $"secrets/rotating/{first.Properties.Version}"), first.Id);
        Assert.Equal(vault.VaultUri, first.Properties.VaultUri);
        Assert.Equal("text/plain", first.Properties.ContentType);
        Assert.True(first.Properties.Enabled);
        Assert.NotNull(first.Properties.CreatedOn);

        Assert.Equal("two", (await client.GetSecretAsync("rotating")).Value.Value);
        Assert.Equal("one", (await client.GetSecretAsync("rotating", first.Properties.Version)).Value.Value);

        var versions = new List<string?>();
        await foreach (SecretProperties properties in client.GetPropertiesOfSecretVersionsAsync("rotating"))
        {
            versions.Add(properties.Version);
        }

        Assert.Equal([first.Properties.Version, second.Properties.Version], versions);
    }

    [Fact]
    public async Task MissingSecretIsA404WithTheDocumentedErrorCode()
    {
        using var vault = new FakeKeyVaultHandler();
        SecretClient client = TestSecretClients.Create(vault);

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => client.GetSecretAsync("absent"));

        Assert.Equal(404, error.Status);
        Assert.Equal("SecretNotFound", error.ErrorCode);
        Assert.Contains("A secret with (name/id) absent was not found in this key vault", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenOtherThanTheRequiredOneIsRefused()
    {
        using var vault = new FakeKeyVaultHandler { RequiredToken = "the-right-token" };
        vault.SetSecret("guarded", "value");
        SecretClient client = TestSecretClients.Create(vault, new StaticTokenCredential("a-wrong-token"));

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => client.GetSecretAsync("guarded"));

        Assert.Equal(401, error.Status);
        Assert.All(vault.Requests, r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));
    }

    [Fact]
    public async Task ThrottledRequestsCarryRetryAfterAndTheClientRetriesThem()
    {
        using var vault = new FakeKeyVaultHandler();
        vault.SetSecret("busy", "value");
        vault.ThrottleNextRequests(1, TimeSpan.Zero);
        SecretClient client = TestSecretClients.Create(vault);

        Assert.Equal("value", (await client.GetSecretAsync("busy")).Value.Value);

        Assert.Equal(1, vault.CountRequests("/secrets/busy", (HttpStatusCode)429));
        Assert.Equal(1, vault.CountRequests("/secrets/busy", HttpStatusCode.OK));
    }

    [Fact]
    public async Task RequestsForAnotherHostAreRefusedRatherThanSentAnywhere()
    {
        using var vault = new FakeKeyVaultHandler();
        using var client = new HttpClient(vault);

        await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetAsync(new Uri("https://elsewhere.vault.azure.net/secrets/x?api-version=7.6")));
    }
}
