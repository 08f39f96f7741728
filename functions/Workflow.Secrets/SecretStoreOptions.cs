namespace Workflow.Secrets;

/// <summary>Caching behaviour of a <see cref="KeyVaultSecretStore"/>.</summary>
public class SecretStoreOptions
{
    /// <summary>The default <see cref="CacheLifetime"/>: five minutes.</summary>
    public static readonly TimeSpan DefaultCacheLifetime = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long the current ("latest") version of a secret is served from memory before the vault is asked
    /// again. A rotated secret is picked up within this time. <see cref="TimeSpan.Zero"/> disables caching of
    /// the current version. A specific version is cached for the life of the store whatever this says,
    /// because Key Vault versions are immutable.
    /// </summary>
    public TimeSpan CacheLifetime { get; set; } = DefaultCacheLifetime;
}
