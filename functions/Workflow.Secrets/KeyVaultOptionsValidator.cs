using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Workflow.Secrets;

/// <summary>
/// Refuses to start without a vault outside Development, and rejects a malformed vault URI or cache lifetime,
/// with messages that name the setting to fix.
/// </summary>
internal sealed class KeyVaultOptionsValidator(IHostEnvironment environment) : IValidateOptions<KeyVaultOptions>
{
    public ValidateOptionsResult Validate(string? name, KeyVaultOptions options)
    {
        var failures = new List<string>();

        if (!options.HasVault)
        {
            if (!environment.IsDevelopment())
            {
                failures.Add(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{KeyVaultOptions.VaultUriSettingName} is not set (environment variable {KeyVaultOptions.VaultUriEnvironmentVariable}). In the '{environment.EnvironmentName}' environment every secret must come from Azure Key Vault: set it to the vault URI, for example https://<vault-name>.vault.azure.net/. Only the Development environment may read secrets from configuration."));
            }
        }
        else if (!options.VaultUri!.IsAbsoluteUri || options.VaultUri.Scheme != Uri.UriSchemeHttps)
        {
            failures.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"{KeyVaultOptions.VaultUriSettingName} '{options.VaultUri.OriginalString}' is not an absolute https URI (environment variable {KeyVaultOptions.VaultUriEnvironmentVariable}); set it to the vault URI, for example https://<vault-name>.vault.azure.net/."));
        }

        if (options.CacheLifetime < TimeSpan.Zero)
        {
            failures.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"{KeyVaultOptions.SectionName}:{nameof(KeyVaultOptions.CacheLifetime)} is {options.CacheLifetime}; it must be zero (no caching) or positive, for example 00:05:00."));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
