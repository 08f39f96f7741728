using Microsoft.Extensions.Configuration;

namespace Workflow.Secrets.Tests;

public sealed class ConfigurationSecretStoreTests
{
    private readonly ConfigurationSecretStore _store = new(new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Secrets:vehicle-api-client-secret"] = "dev-secret",
            ["Secrets:empty"] = string.Empty,
        })
        .Build());

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("latest")]
    [InlineData("config")]
    public async Task ReadsTheSecretUnderTheSecretsSectionAsVersionConfig(string? version)
    {
        SecretValue secret = await _store.GetSecretAsync(SecretNames.VehicleApiClientSecret, version, CancellationToken.None);

        Assert.Equal(SecretNames.VehicleApiClientSecret, secret.Name);
        Assert.Equal(ConfigurationSecretStore.ConfigurationVersion, secret.Version);
        Assert.Equal("dev-secret", secret.Value);
    }

    [Fact]
    public async Task AnEmptyValueIsStillAValue()
    {
        SecretValue secret = await _store.GetSecretAsync("empty", null, CancellationToken.None);

        Assert.Equal(string.Empty, secret.Value);
    }

    [Fact]
    public async Task MissingSecretNamesTheSettingAndItsEnvironmentVariable()
    {
        var error = await Assert.ThrowsAsync<SecretNotFoundException>(
            () => _store.GetSecretAsync(SecretNames.VehicleApiClientId, null, CancellationToken.None).AsTask());

        Assert.Equal(SecretNames.VehicleApiClientId, error.SecretName);
        Assert.Contains("'Secrets:vehicle-api-client-id'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'Secrets__vehicle-api-client-id'", error.Message, StringComparison.Ordinal);
        Assert.Contains("development only", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OtherVersionsAreNotFound()
    {
        var error = await Assert.ThrowsAsync<SecretNotFoundException>(
            () => _store.GetSecretAsync(SecretNames.VehicleApiClientSecret, "0123456789abcdef0123456789abcdef", CancellationToken.None).AsTask());

        Assert.Equal("0123456789abcdef0123456789abcdef", error.Version);
        Assert.Contains("single version of each secret, named 'config'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadsChangesToConfigurationAtOnce()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection().Build();
        var store = new ConfigurationSecretStore(configuration);
        configuration["Secrets:late"] = "arrived";

        Assert.Equal("arrived", (await store.GetSecretAsync("late", null, CancellationToken.None)).Value);
    }
}
