using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Azure.Core;
using Azure.Identity;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Workflow.Durable;
using Workflow.Functions.Hosting;
using Workflow.Functions.LocalStack;
using Workflow.Functions.Security;
using Workflow.Functions.Tests.Support;
using Workflow.Secrets;
using Workflow.Testing.KeyVault;

namespace Workflow.Functions.Tests;

/// <summary>Start-up rules: secrets and keys per environment, storage settings, public links, the local stack.</summary>
public sealed class HostingTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    [Fact]
    public async Task In_production_every_secret_comes_from_Key_Vault_and_a_strong_authentication_command_completes()
    {
        using var vault = new FakeKeyVaultHandler();
        string key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        vault.SetSecret(SecretNames.FunctionsDefaultKey, key);
        vault.SetSecret(SecretNames.DataProtectionKey, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        vault.SetSecret(SecretNames.VehicleApiClientId, "local-dev-client");
        vault.SetSecret(SecretNames.VehicleApiClientSecret, "local-dev-secret");
        TestAppSettings settings = TestAppSettings.New(fixture.Simulator.BaseAddress);

        await using WebApplication app = await TestApp.BuildProductionAsync(settings, vault);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
        http.DefaultRequestHeaders.Add("x-functions-key", key);

        // Configuration secrets are ignored outside Development: the test's Secrets:functions-default-key does not open the door.
        using (HttpResponseMessage configurationKey = await http.SendAsync(WithKey(HttpMethod.Get, "api/commands/x", TestApp.FunctionKey)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, configurationKey.StatusCode);
        }

        using HttpResponseMessage started = await http.PostAsync("api/commands", TestApp.Json(CommandsApi.Body(TestVins.New())));
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        JsonElement body = JsonDocument.Parse(await started.Content.ReadAsStringAsync()).RootElement;
        string statusUri = body.GetProperty("statusQueryGetUri").GetString()!;
        string pinUri = body.GetProperty("pinPostUri").GetString()!;

        string version = System.Web.HttpUtility.ParseQueryString(new Uri(pinUri).Query)["token"]!.Split('.')[0];
        Assert.Matches("^[0-9a-f]{32}$", version);

        await Workflow.Testing.Eventually.TrueAsync(
            async () => (await http.GetStringAsync(statusUri)).Contains("\"AwaitingPin\"", StringComparison.Ordinal), "AwaitingPin", CommandsApi.FlowTimeout);
        using (HttpResponseMessage pin = await http.PostAsync(pinUri, TestApp.Json("""{"pin":"123456"}""")))
        {
            Assert.Equal(HttpStatusCode.Accepted, pin.StatusCode);
        }

        await Workflow.Testing.Eventually.TrueAsync(
            async () => (await http.GetAsync(statusUri)).StatusCode == HttpStatusCode.OK, "the command to finish", CommandsApi.FlowTimeout);
        string finished = await http.GetStringAsync(statusUri);
        Assert.Contains("\"outcome\":\"Succeeded\"", finished, StringComparison.Ordinal);
        Assert.True(vault.CountRequests($"/secrets/{SecretNames.FunctionsDefaultKey}") > 0);
        await app.StopAsync();
    }

    [Fact]
    public async Task In_production_without_a_vault_the_app_refuses_to_start_and_names_the_setting()
    {
        await using WebApplication app = await TestApp.BuildAsync(TestAppSettings.New(fixture.Simulator.BaseAddress), environment: "Production");

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("KeyVault:VaultUri", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_development_without_a_configured_key_the_documented_local_key_works_and_is_announced()
    {
        await using TestApp app = await fixture.StartAppAsync(overrides: new Dictionary<string, string?> { ["Secrets:functions-default-key"] = null });

        using HttpResponseMessage response = await app.Anonymous.SendAsync(WithKey(HttpMethod.Get, "api/commands/unknown", FunctionKeys.LocalDevelopmentKey));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains(app.Logs.Lines, l => l.Contains("local default 'local-dev-key'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Storage_comes_from_the_hosts_settings_connection_string_or_identity_and_defaults_to_Azurite_in_development()
    {
        TestAppSettings settings = TestAppSettings.New(fixture.Simulator.BaseAddress);

        await using (WebApplication identity = await TestApp.BuildAsync(settings, new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = null,
            ["AzureWebJobsStorage:accountName"] = "stvcmdexample",
            ["AzureWebJobsStorage:credential"] = "managedidentity",
        }))
        {
            DurableTaskOptions options = identity.Services.GetRequiredService<IOptions<DurableTaskOptions>>().Value;
            Assert.Null(options.Storage.ConnectionString);
            Assert.Equal("stvcmdexample", options.Storage.AccountName);
            Assert.IsType<ManagedIdentityCredential>(options.Storage.Credential);
        }

        await using (WebApplication defaultCredential = await TestApp.BuildAsync(settings, new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = null,
            ["AzureWebJobsStorage:accountName"] = "stvcmdexample",
        }))
        {
            DurableTaskOptions options = defaultCredential.Services.GetRequiredService<IOptions<DurableTaskOptions>>().Value;
            Assert.Same(defaultCredential.Services.GetRequiredService<TokenCredential>(), options.Storage.Credential);
        }

        await using (WebApplication development = await TestApp.BuildAsync(settings, new Dictionary<string, string?> { ["AzureWebJobsStorage"] = null, ["DurableTask:HubName"] = null }))
        {
            DurableTaskOptions options = development.Services.GetRequiredService<IOptions<DurableTaskOptions>>().Value;
            Assert.Equal("UseDevelopmentStorage=true", options.Storage.ConnectionString);
            Assert.Equal("VehicleCommands", options.HubName);
            Assert.True(options.UseQueueListeners);
        }

        await using WebApplication production = await TestApp.BuildAsync(settings, new Dictionary<string, string?> { ["AzureWebJobsStorage"] = null }, environment: "Production");
        var error = Assert.Throws<OptionsValidationException>(() => production.Services.GetRequiredService<IOptions<DurableTaskOptions>>().Value);
        Assert.Contains("AzureWebJobsStorage__accountName", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Behind_the_Functions_host_links_name_the_public_host_from_WEBSITE_HOSTNAME()
    {
        await using TestApp app = await fixture.StartAppAsync(overrides: new Dictionary<string, string?> { ["WEBSITE_HOSTNAME"] = "func-vcmd-abc.azurewebsites.net" });

        JsonElement started = await new CommandsApi(app).StartAsync(CommandsApi.Body(TestVins.New()));

        string id = started.GetProperty("id").GetString()!;
        Assert.Equal($"https://func-vcmd-abc.azurewebsites.net/api/commands/{id}", started.GetProperty("statusQueryGetUri").GetString());
        Assert.StartsWith($"https://func-vcmd-abc.azurewebsites.net/api/commands/{id}/pin?token=", started.GetProperty("pinPostUri").GetString(), StringComparison.Ordinal);
        Assert.Equal(
            $"https://func-vcmd-abc.azurewebsites.net/runtime/webhooks/durabletask/instances/{id}",
            started.GetProperty("purgeHistoryDeleteUri").GetString());
    }

    [Fact]
    public async Task The_local_stack_runs_only_in_development_and_fills_in_the_simulator_address()
    {
        TestAppSettings settings = TestAppSettings.New(fixture.Simulator.BaseAddress);
        var local = new Dictionary<string, string?> { ["LocalStack:Enabled"] = null, ["VehicleApi:BaseUrl"] = null, ["AzureWebJobsStorage"] = null };

        await using (WebApplication development = await TestApp.BuildAsync(settings, local))
        {
            Assert.Equal("http://127.0.0.1:7072/", development.Configuration["VehicleApi:BaseUrl"]);
            string[] services = HostedServiceNames(development);
            Assert.Contains(nameof(AzuriteHostedService), services);
            Assert.Contains(nameof(SimulatorHostedService), services);
            Assert.Contains(nameof(DemoBanner), services);

            // Before the durable runtime, so that storage is up when the runtime first needs it.
            Assert.True(Array.IndexOf(services, nameof(AzuriteHostedService)) < Array.IndexOf(services, nameof(DurableTaskWorker)));
        }

        await using (WebApplication configured = await TestApp.BuildAsync(settings, new Dictionary<string, string?> { ["LocalStack:Enabled"] = null }))
        {
            Assert.Equal(settings.VehicleApi.AbsoluteUri, configured.Configuration["VehicleApi:BaseUrl"]);
            Assert.DoesNotContain(nameof(AzuriteHostedService), HostedServiceNames(configured));
            Assert.DoesNotContain(nameof(SimulatorHostedService), HostedServiceNames(configured));
        }

        await using WebApplication production = await TestApp.BuildAsync(
            settings,
            new Dictionary<string, string?> { ["LocalStack:Enabled"] = null, ["VehicleApi:BaseUrl"] = null, ["KeyVault:VaultUri"] = "https://example.vault.azure.net/" },
            environment: "Production");
        Assert.Null(production.Configuration["VehicleApi:BaseUrl"]);
        Assert.DoesNotContain(HostedServiceNames(production), n => n is nameof(AzuriteHostedService) or nameof(SimulatorHostedService) or nameof(DemoBanner));
    }

    [Fact]
    public void The_demo_is_a_copy_paste_curl_flow_with_the_local_key_and_the_simulators_pin()
    {
        string text = DemoBanner.Render("http://127.0.0.1:7071", "local-dev-key", new DemoBanner.Stack(true, new Uri("http://127.0.0.1:7072/")));

        Assert.Contains("KEY=local-dev-key", text, StringComparison.Ordinal);
        Assert.Contains("curl -s -X POST \"$BASE/api/commands\"", text, StringComparison.Ordinal);
        Assert.Contains("pims.remote.door.lock", text, StringComparison.Ordinal);
        Assert.Contains("{\"pin\":\"123456\"}", text, StringComparison.Ordinal);
        Assert.Contains("http://127.0.0.1:7072", text, StringComparison.Ordinal);
        Assert.Contains(DemoBanner.DemoVin, text, StringComparison.Ordinal);
        Assert.True(Workflow.Vehicles.VehicleCommandValidation.IsValidVin(DemoBanner.DemoVin));
    }

    [Fact]
    public async Task The_printed_demo_pasted_into_bash_runs_a_command_through_the_pin_to_success()
    {
        string demo = DemoBanner.Render(fixture.App.BaseAddress.AbsoluteUri.TrimEnd('/'), TestApp.FunctionKey, new DemoBanner.Stack(false, null));
        string script = string.Join('\n', demo.Split('\n').SkipWhile(l => !l.TrimStart().StartsWith("BASE=", StringComparison.Ordinal)));

        var start = new System.Diagnostics.ProcessStartInfo("bash") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using System.Diagnostics.Process bash = System.Diagnostics.Process.Start(start)!;
        await bash.StandardInput.WriteAsync(script);
        bash.StandardInput.Close();
        using var timeout = new CancellationTokenSource(CommandsApi.FlowTimeout * 2);
        Task<string> output = bash.StandardOutput.ReadToEndAsync(timeout.Token);
        Task<string> errors = bash.StandardError.ReadToEndAsync(timeout.Token);
        await bash.WaitForExitAsync(timeout.Token);

        string text = await output;
        Assert.True(bash.ExitCode == 0, text + await errors);
        Assert.Contains("\"stage\":\"AwaitingPin\"", text, StringComparison.Ordinal);
        Assert.Contains("\"runtimeStatus\":\"Completed\"", text, StringComparison.Ordinal);
        Assert.Contains("\"outcome\":\"Succeeded\"", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("code=abc&token=config.xyz", "code=Redacted&token=Redacted")]
    [InlineData("?code=abc", "?code=Redacted")]
    [InlineData("https://h/api/commands/1/pin?token=t&code=k", "https://h/api/commands/1/pin?token=Redacted&code=Redacted")]
    [InlineData("https://h/api/commands/1", "https://h/api/commands/1")]
    public void Query_values_are_redacted_from_trace_urls(string value, string expected)
        => Assert.Equal(expected, QueryRedactionProcessor.Redact(value));

    private static HttpRequestMessage WithKey(HttpMethod method, string path, string key)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("x-functions-key", key);
        return request;
    }

    private static string[] HostedServiceNames(WebApplication app)
        => [.. app.Services.GetServices<IHostedService>().Select(s => s.GetType().Name)];
}
