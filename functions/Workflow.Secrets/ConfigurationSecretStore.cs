using Microsoft.Extensions.Configuration;

namespace Workflow.Secrets;

/// <summary>
/// A development-only <see cref="ISecretStore"/> that reads secrets from the configuration section
/// <c>Secrets</c>, under the same names as in Key Vault (for example <c>Secrets:vehicle-api-client-secret</c>,
/// or the environment variable <c>Secrets__vehicle-api-client-secret</c>).
/// </summary>
/// <remarks>
/// Configuration holds one value per secret, so every secret has the single version <c>config</c>;
/// <see langword="null"/>, <c>latest</c> and <c>config</c> all read it, any other version is not found.
/// Values are read on every call, so a reloaded configuration takes effect at once.
/// </remarks>
public sealed class ConfigurationSecretStore : ISecretStore
{
    /// <summary>The configuration section that holds the secrets.</summary>
    public const string SectionName = "Secrets";

    /// <summary>The version id reported for every secret read from configuration.</summary>
    public const string ConfigurationVersion = "config";

    private readonly IConfigurationSection _section;

    /// <summary>Creates a store over the <c>Secrets</c> section of <paramref name="configuration"/>.</summary>
    /// <param name="configuration">The application's configuration root.</param>
    public ConfigurationSecretStore(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        _section = configuration.GetSection(SectionName);
    }

    /// <inheritdoc />
    public ValueTask<SecretValue> GetSecretAsync(string name, string? version, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        cancellationToken.ThrowIfCancellationRequested();

        bool knownVersion = string.IsNullOrEmpty(version)
            || string.Equals(version, "latest", StringComparison.OrdinalIgnoreCase)
            || string.Equals(version, ConfigurationVersion, StringComparison.Ordinal);
        if (!knownVersion)
        {
            throw SecretNotFoundException.InConfiguration(name, version);
        }

        string? value = _section[name];
        if (value is null)
        {
            throw SecretNotFoundException.InConfiguration(name, null);
        }

        return ValueTask.FromResult(new SecretValue(name, ConfigurationVersion, value));
    }
}
