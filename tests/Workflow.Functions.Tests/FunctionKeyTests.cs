using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Workflow.Functions.Security;
using Workflow.Functions.Tests.Support;
using Workflow.Secrets;
using Workflow.Testing.KeyVault;

namespace Workflow.Functions.Tests;

/// <summary>Function keys on every <c>/api/*</c> and <c>/runtime/webhooks/durabletask/*</c> route, as the Functions host requires them.</summary>
public sealed class FunctionKeyTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    public static TheoryData<string, string> ProtectedRoutes => new()
    {
        { "POST", "api/commands" },
        { "GET", "api/commands/some-id" },
        { "POST", "api/commands/some-id/pin?token=x" },
        { "POST", "runtime/webhooks/durabletask/orchestrators/VehicleCommand" },
        { "GET", "runtime/webhooks/durabletask/instances" },
        { "GET", "runtime/webhooks/durabletask/instances/some-id" },
        { "DELETE", "runtime/webhooks/durabletask/instances/some-id" },
        { "POST", "runtime/webhooks/durabletask/instances/some-id/raiseEvent/Pin" },
        { "POST", "runtime/webhooks/durabletask/instances/some-id/terminate" },
        { "GET", "API/Commands/some-id" },
    };

    [Theory]
    [MemberData(nameof(ProtectedRoutes))]
    public async Task Without_a_key_every_route_is_401(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = TestApp.Json("{}") };
        using HttpResponseMessage response = await App.Anonymous.SendAsync(request);

        JsonElement problem = await BadInputTests.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "Function key required");
        Assert.Contains("x-functions-key", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ProtectedRoutes))]
    public async Task With_a_wrong_key_every_route_is_401(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = TestApp.Json("{}") };
        request.Headers.Add("x-functions-key", TestApp.FunctionKey + "x");
        using HttpResponseMessage response = await App.Anonymous.SendAsync(request);

        await BadInputTests.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "Invalid function key");
    }

    [Fact]
    public async Task A_wrong_code_query_parameter_is_401_and_so_is_a_key_that_differs_only_in_case()
    {
        using (HttpResponseMessage wrong = await App.Anonymous.GetAsync("api/commands/some-id?code=nope"))
        {
            await BadInputTests.AssertProblemAsync(wrong, HttpStatusCode.Unauthorized, "Invalid function key");
        }

        using HttpResponseMessage upper = await App.Anonymous.GetAsync($"api/commands/some-id?code={TestApp.FunctionKey.ToUpperInvariant()}");
        await BadInputTests.AssertProblemAsync(upper, HttpStatusCode.Unauthorized, "Invalid function key");
    }

    [Fact]
    public async Task The_key_works_as_header_or_as_code_and_code_is_carried_into_the_links()
    {
        using (HttpResponseMessage header = await App.Http.GetAsync("api/commands/some-id"))
        {
            await BadInputTests.AssertProblemAsync(header, HttpStatusCode.NotFound, "Command not found");
        }

        string code = Uri.EscapeDataString(TestApp.FunctionKey);
        using HttpResponseMessage started = await App.Anonymous.PostAsync($"api/commands?code={code}", TestApp.Json(CommandsApi.Body(TestVins.New())));
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        JsonElement body = JsonDocument.Parse(await started.Content.ReadAsStringAsync()).RootElement;
        string id = body.GetProperty("id").GetString()!;

        Assert.Equal($"{App.BaseAddress}api/commands/{id}?code={code}", body.GetProperty("statusQueryGetUri").GetString());
        Assert.Equal(body.GetProperty("statusQueryGetUri").GetString(), started.Headers.Location?.AbsoluteUri);
        Assert.EndsWith($"&code={code}", body.GetProperty("pinPostUri").GetString(), StringComparison.Ordinal);
        Assert.EndsWith($"/terminate?reason={{text}}&code={code}", body.GetProperty("terminatePostUri").GetString(), StringComparison.Ordinal);
        Assert.EndsWith($"/raiseEvent/{{eventName}}?code={code}", body.GetProperty("sendEventPostUri").GetString(), StringComparison.Ordinal);

        // The links work as they are, without a header.
        using HttpResponseMessage status = await App.Anonymous.GetAsync(body.GetProperty("statusQueryGetUri").GetString());
        Assert.Equal(HttpStatusCode.Accepted, status.StatusCode);
        using HttpResponseMessage management = await App.Anonymous.GetAsync(body.GetProperty("purgeHistoryDeleteUri").GetString());
        Assert.Equal(HttpStatusCode.Accepted, management.StatusCode);
    }

    [Fact]
    public async Task A_caller_that_used_the_header_gets_links_without_the_key()
    {
        JsonElement body = await fixture.Api.StartAsync(CommandsApi.Body(TestVins.New()));

        Assert.DoesNotContain("code=", body.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain(TestApp.FunctionKey, body.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_pin_token_is_bound_to_one_instance_and_unguessable()
    {
        JsonElement first = await fixture.Api.StartAsync(CommandsApi.Body(TestVins.New()));
        JsonElement second = await fixture.Api.StartAsync(CommandsApi.Body(TestVins.New()));
        string firstToken = new Uri(first.GetProperty("pinPostUri").GetString()!).Query;
        string secondToken = new Uri(second.GetProperty("pinPostUri").GetString()!).Query;

        Assert.NotEqual(firstToken, secondToken);
        Assert.Matches("^\\?token=config\\.[A-Za-z0-9_-]{43}$", firstToken);

        // The same instance always gets the same token (an idempotent start returns the same pinPostUri).
        string id = "token-" + Guid.NewGuid().ToString("N");
        string body = CommandsApi.Body(TestVins.New(), instanceId: id);
        Assert.Equal(
            (await fixture.Api.StartAsync(body)).GetProperty("pinPostUri").GetString(),
            (await fixture.Api.StartAsync(body)).GetProperty("pinPostUri").GetString());
    }

    [Fact]
    public async Task The_setting_Functions_DefaultKey_is_the_key_as_header_or_code_and_any_other_key_is_401()
    {
        string key = NewKey();
        await using TestApp app = await fixture.StartAppAsync(overrides: new Dictionary<string, string?>
        {
            [FunctionKeys.SettingName] = key,
            [$"Secrets:{SecretNames.FunctionsDefaultKey}"] = null,
        });

        await AssertAcceptedAsync(app.Anonymous, key);
        await AssertRefusedAsync(app.Anonymous, key + "x");
        await AssertRefusedAsync(app.Anonymous, FunctionKeys.LocalDevelopmentKey);
        Assert.Contains(app.Logs.Lines, l => l.Contains("The function key comes from the setting Functions:DefaultKey.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_setting_wins_over_the_secret()
    {
        string key = NewKey();
        await using TestApp app = await fixture.StartAppAsync(overrides: new Dictionary<string, string?> { [FunctionKeys.SettingName] = key });

        await AssertAcceptedAsync(app.Anonymous, key);
        await AssertRefusedAsync(app.Anonymous, TestApp.FunctionKey);
    }

    [Fact]
    public async Task In_production_the_setting_alone_is_the_key_and_the_vault_is_not_asked_for_it()
    {
        using FakeKeyVaultHandler vault = VaultWithoutFunctionKey();
        string key = NewKey();
        await using WebApplication app = await TestApp.BuildProductionAsync(
            TestAppSettings.New(fixture.Simulator.BaseAddress), vault, new Dictionary<string, string?> { [FunctionKeys.SettingName] = key });
        await app.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };

        await AssertAcceptedAsync(anonymous, key);
        await AssertRefusedAsync(anonymous, TestApp.FunctionKey);
        Assert.Equal(0, vault.CountRequests($"/secrets/{SecretNames.FunctionsDefaultKey}"));
        await app.StopAsync();
    }

    [Fact]
    public async Task Outside_development_without_the_setting_or_the_secret_the_app_refuses_to_start_and_names_both()
    {
        using FakeKeyVaultHandler vault = VaultWithoutFunctionKey();

        await using WebApplication app = await TestApp.BuildProductionAsync(TestAppSettings.New(fixture.Simulator.BaseAddress), vault);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());

        Assert.Contains("refuses", error.Message, StringComparison.Ordinal);
        Assert.Contains("'Production'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Functions:DefaultKey", error.Message, StringComparison.Ordinal);
        Assert.Contains("Functions__DefaultKey", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{SecretNames.FunctionsDefaultKey}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_Key_Vault_reference_that_App_Service_could_not_resolve_is_never_taken_for_the_key()
    {
        // App Service passes an unresolvable reference on as its literal text, which anyone reading the app settings knows.
        using FakeKeyVaultHandler vault = VaultWithoutFunctionKey();
        const string Reference = "@Microsoft.KeyVault(SecretUri=https://kv-vcmd.vault.azure.net/secrets/functions-default-key/)";

        await using WebApplication app = await TestApp.BuildProductionAsync(
            TestAppSettings.New(fixture.Simulator.BaseAddress), vault, new Dictionary<string, string?> { [FunctionKeys.SettingName] = Reference });
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());

        Assert.Contains("Key Vault reference that App Service could not resolve", error.Message, StringComparison.Ordinal);
        Assert.Contains("Functions:DefaultKey", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Routes_outside_api_and_the_management_api_need_no_key()
    {
        using HttpResponseMessage openApi = await App.Anonymous.GetAsync("openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, openApi.StatusCode);
        string document = await openApi.Content.ReadAsStringAsync();
        Assert.Contains("/api/commands/{id}/pin", document, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Neither_the_key_nor_the_token_reaches_the_logs_even_at_debug_level()
    {
        var overrides = new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Trace", ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace" };
        await using TestApp app = await fixture.StartAppAsync(overrides: overrides);
        string code = Uri.EscapeDataString(TestApp.FunctionKey);
        using HttpResponseMessage started = await app.Anonymous.PostAsync($"api/commands?code={code}", TestApp.Json(CommandsApi.Body(TestVins.New())));
        JsonElement body = JsonDocument.Parse(await started.Content.ReadAsStringAsync()).RootElement;
        string pinUri = body.GetProperty("pinPostUri").GetString()!;
        using HttpResponseMessage pin = await app.Anonymous.PostAsync(pinUri, TestApp.Json("""{"pin":"12"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, pin.StatusCode);

        string token = System.Web.HttpUtility.ParseQueryString(new Uri(pinUri).Query)["token"]!;
        Assert.NotEmpty(app.Logs.Lines);
        Assert.DoesNotContain(TestApp.FunctionKey, app.Logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(token, app.Logs.AllText, StringComparison.Ordinal);
    }

    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));

    /// <summary>A vault with every secret the app needs to run, except the function key.</summary>
    private static FakeKeyVaultHandler VaultWithoutFunctionKey()
    {
        var vault = new FakeKeyVaultHandler();
        vault.SetSecret(SecretNames.DataProtectionKey, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        vault.SetSecret(SecretNames.VehicleApiClientId, "local-dev-client");
        vault.SetSecret(SecretNames.VehicleApiClientSecret, "local-dev-secret");
        return vault;
    }

    /// <summary>The key opens the API: an unknown command is 404, not 401.</summary>
    private static Task AssertAcceptedAsync(HttpClient anonymous, string key)
        => AssertAnswerAsync(anonymous, key, HttpStatusCode.NotFound, "Command not found");

    private static Task AssertRefusedAsync(HttpClient anonymous, string key)
        => AssertAnswerAsync(anonymous, key, HttpStatusCode.Unauthorized, "Invalid function key");

    /// <summary>Sends the key in the <c>x-functions-key</c> header, then in the <c>code</c> query parameter, and checks both answers.</summary>
    private static async Task AssertAnswerAsync(HttpClient anonymous, string key, HttpStatusCode status, string title)
    {
        const string UnknownCommand = "api/commands/unknown-command";
        using (var header = new HttpRequestMessage(HttpMethod.Get, UnknownCommand))
        {
            header.Headers.Add("x-functions-key", key);
            using HttpResponseMessage response = await anonymous.SendAsync(header);
            await BadInputTests.AssertProblemAsync(response, status, title);
        }

        using HttpResponseMessage code = await anonymous.GetAsync($"{UnknownCommand}?code={Uri.EscapeDataString(key)}");
        await BadInputTests.AssertProblemAsync(code, status, title);
    }
}
