using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Workflow.Durable;
using Workflow.Testing;
using Workflow.Testing.KeyVault;

namespace Workflow.Functions.Tests.Support;

/// <summary>What an app under test is configured with; two apps with equal settings share their state (a restart).</summary>
internal sealed record TestAppSettings(string HubName, string DataKey, Uri VehicleApi)
{
    /// <summary>The storage account; null for the shared Azurite.</summary>
    public string? StorageConnectionString { get; init; }

    public static TestAppSettings New(Uri vehicleApi)
        => new("f" + Guid.NewGuid().ToString("N")[..20], Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), vehicleApi);
}

/// <summary>
/// The real function app (<see cref="WorkflowApp.Build"/>) on Kestrel at a free loopback port, in Development,
/// on the shared Azurite (or the account its settings name) with its own task hub, with secrets from configuration and the local stack off.
/// </summary>
internal sealed class TestApp : IAsyncDisposable
{
    public const string FunctionKey = "test-function-key-4f1c2b7e";

    private TestApp(WebApplication app, CapturedLogs logs, TestAppSettings settings)
    {
        App = app;
        Logs = logs;
        Settings = settings;
        BaseAddress = new Uri(app.Urls.Single().TrimEnd('/') + "/");
        Http = new HttpClient { BaseAddress = BaseAddress };
        Http.DefaultRequestHeaders.Add("x-functions-key", FunctionKey);
        Anonymous = new HttpClient { BaseAddress = BaseAddress };
    }

    public WebApplication App { get; }

    public CapturedLogs Logs { get; }

    public TestAppSettings Settings { get; }

    public Uri BaseAddress { get; }

    /// <summary>A client that sends the function key header.</summary>
    public HttpClient Http { get; }

    /// <summary>A client that sends no key.</summary>
    public HttpClient Anonymous { get; }

    public IServiceProvider Services => App.Services;

    public DurableTaskClient Client => Services.GetRequiredService<DurableTaskClient>();

    public static async Task<TestApp> StartAsync(TestAppSettings settings, IDictionary<string, string?>? overrides = null, Action<WebApplicationBuilder>? configure = null)
    {
        WebApplication app = await BuildAsync(settings, overrides, configure);
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new TestApp(app, app.Services.GetRequiredService<CapturedLogs>(), settings);
    }

    /// <summary>Builds (does not start) the app with the test configuration.</summary>
    public static async Task<WebApplication> BuildAsync(
        TestAppSettings settings, IDictionary<string, string?>? overrides = null, Action<WebApplicationBuilder>? configure = null, string environment = "Development")
    {
        string storage = settings.StorageConnectionString ?? (await AzuriteServer.Shared).ConnectionString;
        var values = new Dictionary<string, string?>
        {
            ["DurableTask:HubName"] = settings.HubName,
            ["DurableTask:MaxPollingInterval"] = "00:00:00.100",
            ["AzureWebJobsStorage"] = storage,
            ["VehicleApi:BaseUrl"] = settings.VehicleApi.AbsoluteUri,
            ["Secrets:functions-default-key"] = FunctionKey,
            ["Secrets:data-protection-key"] = settings.DataKey,
            ["Secrets:vehicle-api-client-id"] = "local-dev-client",
            ["Secrets:vehicle-api-client-secret"] = "local-dev-secret",
            ["LocalStack:Enabled"] = "false",
        };
        // A null override removes the test default, so the app's own default applies.
        foreach (KeyValuePair<string, string?> pair in overrides ?? new Dictionary<string, string?>())
        {
            if (pair.Value is null)
            {
                values.Remove(pair.Key);
            }
            else
            {
                values[pair.Key] = pair.Value;
            }
        }

        var logs = new CapturedLogs();
        return WorkflowApp.Build(
            [$"--environment={environment}", "--urls=http://127.0.0.1:0"],
            builder =>
            {
                builder.Configuration.AddInMemoryCollection(values);
                builder.Logging.ClearProviders();
                builder.Logging.SetMinimumLevel(LogLevel.Debug);
                builder.Logging.AddProvider(logs);
                builder.Services.AddSingleton(logs);
                configure?.Invoke(builder);
            });
    }

    /// <summary>
    /// Builds (does not start) the app in Production, where every secret comes from Key Vault: here
    /// <paramref name="vault"/>, a protocol-faithful fake behind the real <see cref="SecretClient"/>.
    /// </summary>
    public static Task<WebApplication> BuildProductionAsync(TestAppSettings settings, FakeKeyVaultHandler vault, IDictionary<string, string?>? overrides = null)
        => BuildAsync(
            settings,
            new Dictionary<string, string?>(overrides ?? new Dictionary<string, string?>()) { ["KeyVault:VaultUri"] = vault.VaultUri.AbsoluteUri },
            builder => builder.Services.AddSingleton(
                new SecretClient(vault.VaultUri, new StaticTokenCredential(), new SecretClientOptions { Transport = new HttpClientTransport(vault) })),
            environment: "Production");

    public static StringContent Json(string json)
    {
        var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Anonymous.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
