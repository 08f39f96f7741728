namespace Workflow.Secrets;

/// <summary>
/// Where the application's secrets live. Bound from the configuration section <c>KeyVault</c>
/// (environment variables <c>KeyVault__VaultUri</c>, <c>KeyVault__CacheLifetime</c>) and validated at start-up.
/// </summary>
public class KeyVaultOptions : SecretStoreOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "KeyVault";

    /// <summary>The configuration key of <see cref="VaultUri"/>, as named in error messages.</summary>
    public const string VaultUriSettingName = SectionName + ":" + nameof(VaultUri);

    /// <summary>The environment variable that sets <see cref="VaultUri"/>.</summary>
    public const string VaultUriEnvironmentVariable = SectionName + "__" + nameof(VaultUri);

    /// <summary>
    /// The vault URI, for example <c>https://my-vault.vault.azure.net/</c>. Required outside the Development
    /// environment; in Development, leaving it unset reads secrets from configuration instead.
    /// </summary>
    public Uri? VaultUri { get; set; }

    /// <summary>Whether a vault is configured: a non-empty <see cref="VaultUri"/>.</summary>
    internal bool HasVault => VaultUri is not null && VaultUri.OriginalString.Trim().Length > 0;
}
