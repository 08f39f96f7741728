using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Workflow.Secrets;

/// <summary>
/// Logs a warning at start-up when secrets come from configuration rather than Key Vault, so that a
/// development set-up can never pass silently for a production one.
/// </summary>
internal sealed partial class ConfigurationSecretsWarningService(
    IOptions<KeyVaultOptions> options,
    ILogger<ConfigurationSecretStore> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.HasVault)
        {
            LogSecretsFromConfiguration(
                logger,
                ConfigurationSecretStore.SectionName,
                KeyVaultOptions.VaultUriSettingName,
                KeyVaultOptions.VaultUriEnvironmentVariable);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(
        EventId = 1,
        EventName = "SecretsFromConfiguration",
        Level = LogLevel.Warning,
        Message = "Secrets are read from the configuration section '{Section}', not from Azure Key Vault, because {VaultUriSetting} is not set. This is for development only: set {VaultUriSetting} (environment variable {VaultUriVariable}) to the vault URI to use Key Vault.")]
    private static partial void LogSecretsFromConfiguration(ILogger logger, string section, string vaultUriSetting, string vaultUriVariable);
}
