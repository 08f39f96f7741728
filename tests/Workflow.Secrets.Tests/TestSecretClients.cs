using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;
using Workflow.Testing.KeyVault;

namespace Workflow.Secrets.Tests;

/// <summary>Real <see cref="SecretClient"/>s wired to a <see cref="FakeKeyVaultHandler"/>.</summary>
internal static class TestSecretClients
{
    /// <param name="vault">The fake vault.</param>
    /// <param name="credential">The credential; a <see cref="StaticTokenCredential"/> when null.</param>
    /// <param name="transport">A handler in front of the vault (for example a <see cref="GatedHandler"/>); the vault itself when null.</param>
    public static SecretClient Create(FakeKeyVaultHandler vault, TokenCredential? credential = null, HttpMessageHandler? transport = null) =>
        new(vault.VaultUri, credential ?? new StaticTokenCredential(), CreateOptions(transport ?? vault));

    public static SecretClientOptions CreateOptions(HttpMessageHandler transport)
    {
        var options = new SecretClientOptions { Transport = new HttpClientTransport(transport) };

        // A short client-side backoff keeps transient retries quick; a server's Retry-After still wins over it.
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(5);
        return options;
    }
}
