using Azure.Core;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Workflow.Secrets;

/// <summary>Registers the secret store and the payload protector.</summary>
public static class SecretsServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ISecretStore"/> (and <see cref="PayloadProtector"/>), with <see cref="KeyVaultOptions"/>
    /// bound from the <c>KeyVault</c> configuration section and validated at start-up.
    /// </summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item>With <c>KeyVault:VaultUri</c> set: a <see cref="KeyVaultSecretStore"/> over a <see cref="SecretClient"/>
    /// authenticated by the registered <see cref="TokenCredential"/>, <see cref="DefaultAzureCredential"/> unless
    /// one is registered (managed identity in Azure).</item>
    /// <item>Without it, in Development: a <see cref="ConfigurationSecretStore"/>, and a warning logged at start-up.</item>
    /// <item>Without it, in any other environment: start-up fails with an <see cref="OptionsValidationException"/>
    /// that names <c>KeyVault:VaultUri</c>.</item>
    /// </list>
    /// A <see cref="SecretClient"/> or <see cref="TokenCredential"/> registered by the caller is used as is.
    /// </remarks>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The application's configuration root.</param>
    /// <param name="environment">The host environment: only Development may run without a vault.</param>
    /// <param name="configureClientOptions">
    /// Adjusts the <see cref="SecretClientOptions"/> of the Key Vault client, for example its transport in tests.
    /// Leave its retry policy in place: it is what honours the vault's <c>Retry-After</c> on 429.
    /// </param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddWorkflowSecrets(
        this IServiceCollection services,
        IConfiguration configuration,
        IHostEnvironment environment,
        Action<SecretClientOptions>? configureClientOptions = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);

        services.AddOptions<KeyVaultOptions>()
            .Bind(configuration.GetSection(KeyVaultOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KeyVaultOptions>>(new KeyVaultOptionsValidator(environment)));

        services.TryAddSingleton<TokenCredential>(_ => new DefaultAzureCredential());
        services.TryAddSingleton(provider =>
        {
            KeyVaultOptions options = provider.GetRequiredService<IOptions<KeyVaultOptions>>().Value;
            if (!options.HasVault)
            {
                throw new InvalidOperationException(
                    $"No Key Vault is configured: set {KeyVaultOptions.VaultUriSettingName} (environment variable {KeyVaultOptions.VaultUriEnvironmentVariable}) to the vault URI.");
            }

            // Only the transport and diagnostics are meant to be adjusted; the default retry policy stays,
            // because it is what waits out a 429 for as long as the vault's Retry-After asks.
            var clientOptions = new SecretClientOptions();
            configureClientOptions?.Invoke(clientOptions);
            return new SecretClient(options.VaultUri!, provider.GetRequiredService<TokenCredential>(), clientOptions);
        });

        services.TryAddSingleton<ISecretStore>(provider =>
        {
            // Reading the options runs the validator, so a production host without a vault fails here too,
            // with the same message, even if it was never started.
            KeyVaultOptions options = provider.GetRequiredService<IOptions<KeyVaultOptions>>().Value;
            if (options.HasVault)
            {
                return new KeyVaultSecretStore(
                    provider.GetRequiredService<SecretClient>(),
                    options,
                    provider.GetService<TimeProvider>(),
                    provider.GetService<ILogger<KeyVaultSecretStore>>());
            }

            return new ConfigurationSecretStore(configuration);
        });

        services.AddHostedService<ConfigurationSecretsWarningService>();
        return services.AddPayloadProtection();
    }

    /// <summary>
    /// Registers <see cref="PayloadProtector"/> as a singleton over the registered <see cref="ISecretStore"/>,
    /// with its key secret name from <see cref="PayloadProtectorOptions"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Adjusts the protector's options; <see langword="null"/> for the defaults.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddPayloadProtection(
        this IServiceCollection services,
        Action<PayloadProtectorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        OptionsBuilder<PayloadProtectorOptions> options = services.AddOptions<PayloadProtectorOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(provider => new PayloadProtector(
            provider.GetRequiredService<ISecretStore>(),
            provider.GetRequiredService<IOptions<PayloadProtectorOptions>>().Value));
        return services;
    }
}
