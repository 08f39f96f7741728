using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Workflow.Api.Tests;

/// <summary>
/// Where links point is configuration, checked at start-up: outside Development the public base URL must be set, so
/// that no deployment hands out links built from nothing but a relative path (or, worse, the request's Host header).
/// </summary>
public sealed class PublicBaseUrlTests
{
    [Fact]
    public void Outside_development_a_missing_public_base_url_stops_the_start_naming_the_setting()
    {
        using ServiceProvider provider = Build("Production", publicBaseUrl: null);

        OptionsValidationException refused = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<CommandsApiOptions>>().Value);

        Assert.Contains("Commands:PublicBaseUrl is required outside Development", refused.Message, StringComparison.Ordinal);
        Assert.Contains("'Production'", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Outside_development_a_configured_public_base_url_is_taken()
    {
        using ServiceProvider provider = Build("Production", "https://func-vcmd-abc.azurewebsites.net");

        Assert.Equal(new Uri("https://func-vcmd-abc.azurewebsites.net"), provider.GetRequiredService<IOptions<CommandsApiOptions>>().Value.PublicBaseUrl);
    }

    [Fact]
    public void In_development_links_may_stay_relative()
    {
        using ServiceProvider provider = Build("Development", publicBaseUrl: null);

        Assert.Null(provider.GetRequiredService<IOptions<CommandsApiOptions>>().Value.PublicBaseUrl);
    }

    [Fact]
    public void A_public_base_url_that_is_not_absolute_http_is_refused()
    {
        using ServiceProvider provider = Build("Development", "ftp://example.com");

        OptionsValidationException refused = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<CommandsApiOptions>>().Value);

        Assert.Contains("must be an absolute http or https URL", refused.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Build(string environmentName, string? publicBaseUrl)
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Commands:PublicBaseUrl"] = publicBaseUrl,
                ["KeyVault:VaultUri"] = "https://kv-test.vault.azure.net/",
                ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            })
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddVehicleCommandsApi(configuration, new Environment(environmentName));
        return services.BuildServiceProvider();
    }

    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;

        public string ApplicationName { get; set; } = "Workflow.Api.Tests";

        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
