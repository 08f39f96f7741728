using System.Net;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Workflow.Testing.KeyVault;

namespace Workflow.Secrets.Tests;

/// <summary><c>AddWorkflowSecrets</c> in a real host: which store, what is logged, what refuses to start.</summary>
public sealed class SecretsServiceCollectionExtensionsTests
{
    [Fact]
    public async Task DevelopmentWithoutAVaultReadsConfigurationAndWarnsAtStartUp()
    {
        using IHost host = BuildHost(Environments.Development, new() { ["Secrets:functions-default-key"] = "dev-key" });

        await host.StartAsync();
        try
        {
            ISecretStore store = host.Services.GetRequiredService<ISecretStore>();
            Assert.IsType<ConfigurationSecretStore>(store);
            Assert.Equal("dev-key", (await store.GetSecretAsync(SecretNames.FunctionsDefaultKey, null, CancellationToken.None)).Value);

            FakeLogRecord warning = Assert.Single(host.Services.GetFakeLogCollector().GetSnapshot(), r => r.Level == LogLevel.Warning);
            Assert.Contains("configuration section 'Secrets'", warning.Message, StringComparison.Ordinal);
            Assert.Contains("development only", warning.Message, StringComparison.Ordinal);
            Assert.Contains("KeyVault:VaultUri", warning.Message, StringComparison.Ordinal);
            Assert.Contains("KeyVault__VaultUri", warning.Message, StringComparison.Ordinal);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    public async Task AnyOtherEnvironmentWithoutAVaultRefusesToStartAndNamesTheSetting(string environment)
    {
        using IHost host = BuildHost(environment, new() { ["Secrets:functions-default-key"] = "would-be-ignored" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("KeyVault:VaultUri is not set (environment variable KeyVault__VaultUri)", error.Message, StringComparison.Ordinal);
        Assert.Contains(environment, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResolvingTheStoreOutsideDevelopmentWithoutAVaultFailsTheSameWay()
    {
        using IHost host = BuildHost(Environments.Production, []);

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<ISecretStore>());

        Assert.Contains("KeyVault:VaultUri", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://fake-vault.vault.azure.net/")]
    [InlineData("fake-vault.vault.azure.net")]
    public async Task AVaultUriThatIsNotAbsoluteHttpsIsRefused(string vaultUri)
    {
        using IHost host = BuildHost(Environments.Production, new() { ["KeyVault:VaultUri"] = vaultUri });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains($"KeyVault:VaultUri '{vaultUri}' is not an absolute https URI", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANegativeCacheLifetimeIsRefused()
    {
        using IHost host = BuildHost(Environments.Development, new() { ["KeyVault:CacheLifetime"] = "-00:00:01" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("KeyVault:CacheLifetime", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithAVaultItReadsKeyVaultWithTheRegisteredCredentialAndLogsNoWarning()
    {
        using var vault = new FakeKeyVaultHandler { RequiredToken = "di-token" };
        vault.SetSecret(SecretNames.VehicleApiClientId, "client-id");
        using IHost host = BuildHost(
            Environments.Production,
            new() { ["KeyVault:VaultUri"] = vault.VaultUri.ToString(), ["KeyVault:CacheLifetime"] = "00:10:00" },
            services => services.AddSingleton<TokenCredential>(new StaticTokenCredential("di-token")),
            options => options.Transport = new HttpClientTransport(vault));

        await host.StartAsync();
        try
        {
            ISecretStore store = host.Services.GetRequiredService<ISecretStore>();
            Assert.Equal(vault.VaultUri, Assert.IsType<KeyVaultSecretStore>(store).VaultUri);
            Assert.Equal("client-id", (await store.GetSecretAsync(SecretNames.VehicleApiClientId, null, CancellationToken.None)).Value);
            Assert.Equal(TimeSpan.FromMinutes(10), host.Services.GetRequiredService<IOptions<KeyVaultOptions>>().Value.CacheLifetime);
            Assert.DoesNotContain(host.Services.GetFakeLogCollector().GetSnapshot(), r => r.Level >= LogLevel.Warning);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task OurClientOptionsKeepTheRetryPolicySoThrottlingIsWaitedOut()
    {
        using var vault = new FakeKeyVaultHandler();
        vault.SetSecret(SecretNames.VehicleApiClientSecret, "value");
        vault.ThrottleNextRequests(1, TimeSpan.Zero);
        using IHost host = BuildHost(
            Environments.Production,
            new() { ["KeyVault:VaultUri"] = vault.VaultUri.ToString() },
            services => services.AddSingleton<TokenCredential>(new StaticTokenCredential()),
            options => options.Transport = new HttpClientTransport(vault));

        SecretValue secret = await host.Services.GetRequiredService<ISecretStore>()
            .GetSecretAsync(SecretNames.VehicleApiClientSecret, null, CancellationToken.None);

        Assert.Equal("value", secret.Value);
        Assert.Equal(1, vault.CountRequests("/secrets/vehicle-api-client-secret", (HttpStatusCode)429));
    }

    [Fact]
    public async Task RegistersAPayloadProtectorOverTheStore()
    {
        using IHost host = BuildHost(
            Environments.Development,
            new() { ["Secrets:data-protection-key"] = Convert.ToBase64String(new byte[32]) });

        PayloadProtector protector = host.Services.GetRequiredService<PayloadProtector>();
        string envelope = await protector.ProtectAsync("payload");

        Assert.StartsWith("v1.data-protection-key.config.", envelope, StringComparison.Ordinal);
        Assert.Equal("payload", await protector.UnprotectAsync(envelope));
    }

    [Fact]
    public void AddPayloadProtectionHonoursAnotherKeySecretName()
    {
        var services = new ServiceCollection();
        services.AddSingleton<ISecretStore>(new ConfigurationSecretStore(new ConfigurationBuilder().Build()));
        services.AddPayloadProtection(options => options.KeySecretName = "other-key");
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.Equal("other-key", provider.GetRequiredService<PayloadProtector>().KeySecretName);
    }

    private static IHost BuildHost(
        string environment,
        Dictionary<string, string?> settings,
        Action<IServiceCollection>? configureServices = null,
        Action<Azure.Security.KeyVault.Secrets.SecretClientOptions>? configureClient = null)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = environment });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddFakeLogging();
        configureServices?.Invoke(builder.Services);
        builder.Services.AddWorkflowSecrets(builder.Configuration, builder.Environment, configureClient);
        return builder.Build();
    }
}
