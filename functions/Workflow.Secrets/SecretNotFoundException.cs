using System.Globalization;

namespace Workflow.Secrets;

/// <summary>
/// Thrown by an <see cref="ISecretStore"/> when the requested secret, or the requested version of it,
/// does not exist. The message says where the store looked and how to create the secret.
/// </summary>
public sealed class SecretNotFoundException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public SecretNotFoundException()
        : base("The secret was not found.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was not found and what to do about it.</param>
    public SecretNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying failure.</summary>
    /// <param name="message">What was not found and what to do about it.</param>
    /// <param name="innerException">The failure reported by the underlying store.</param>
    public SecretNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a named secret.</summary>
    /// <param name="message">What was not found and what to do about it.</param>
    /// <param name="secretName">The secret that was requested.</param>
    /// <param name="version">The version that was requested, or <see langword="null"/> for the current version.</param>
    /// <param name="innerException">The failure reported by the underlying store, if any.</param>
    public SecretNotFoundException(string message, string secretName, string? version, Exception? innerException = null)
        : base(message, innerException)
    {
        SecretName = secretName;
        Version = version;
    }

    /// <summary>The secret that was requested, when known.</summary>
    public string? SecretName { get; }

    /// <summary>The version that was requested, or <see langword="null"/> when the current version was requested.</summary>
    public string? Version { get; }

    internal static SecretNotFoundException InKeyVault(string name, string? version, Uri vaultUri, Exception innerException)
    {
        // The vault name is the first label of the host: https://<name>.vault.azure.net/.
        string vaultName = vaultUri.Host.Split('.')[0];
        string message = version is null
            ? string.Create(
                CultureInfo.InvariantCulture,
                $"Secret '{name}' was not found in vault {vaultUri}; create it with az keyvault secret set --vault-name {vaultName} --name {name} --value <value>, and make sure it is enabled.")
            : string.Create(
                CultureInfo.InvariantCulture,
                $"Version '{version}' of secret '{name}' was not found in vault {vaultUri}; list the versions that exist with az keyvault secret list-versions --vault-name {vaultName} --name {name}. A deleted or purged version cannot be read again.");
        return new SecretNotFoundException(message, name, version, innerException);
    }

    internal static SecretNotFoundException InConfiguration(string name, string? version)
    {
        string key = ConfigurationSecretStore.SectionName + ":" + name;
        string message = version is null
            ? string.Create(
                CultureInfo.InvariantCulture,
                $"Secret '{name}' was not found in configuration (development only); set '{key}' (environment variable '{key.Replace(":", "__", StringComparison.Ordinal)}', or user secrets), or set '{KeyVaultOptions.VaultUriSettingName}' to read secrets from Azure Key Vault.")
            : string.Create(
                CultureInfo.InvariantCulture,
                $"Version '{version}' of secret '{name}' is not available: the configuration secret store (development only) holds a single version of each secret, named '{ConfigurationSecretStore.ConfigurationVersion}'. Data written with a Key Vault version needs that vault: set '{KeyVaultOptions.VaultUriSettingName}'.");
        return new SecretNotFoundException(message, name, version);
    }
}
