using System.Net;
using System.Text;
using System.Text.Json;
using Workflow.Functions.Tests.Support;
using Workflow.Testing.Vins;

namespace Workflow.Functions.Tests;

/// <summary>
/// The keys as the Functions host enforces them (the app checks none itself): the product routes are
/// <c>authLevel: function</c>, the Durable webhooks take the <c>durabletask_extension</c> system key. The codes asserted are
/// the ones the host really answers.
/// </summary>
[Collection(SharedFunctionsHost.Name)]
public sealed class KeyTests(FunctionsHostFixture fixture)
{
    public static TheoryData<string, string> ProductRoutes => new()
    {
        { "POST", "api/commands" },
        { "GET", "api/commands/{id}" },
        { "POST", "api/commands/{id}/pin?token={token}" },
    };

    [Theory]
    [MemberData(nameof(ProductRoutes))]
    public async Task EveryProductRouteAnswers401WithoutTheFunctionKeyOrWithAWrongOne(string method, string route)
    {
        StartedCommand command = await StartFinishedCommandAsync();
        string path = route.Replace("{id}", command.Id, StringComparison.Ordinal)
            .Replace("{token}", PinToken(command), StringComparison.Ordinal);
        string wrongKey = fixture.FunctionKey[..^4] + "wxyz";

        using HttpClient anonymous = fixture.CreateClient();
        using HttpClient wrong = fixture.CreateClient(wrongKey);
        using HttpClient systemKey = fixture.CreateClient(fixture.DurableSystemKey);

        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(anonymous, method, path));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(wrong, method, path));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(anonymous, method, WithQuery(path, "code=" + wrongKey)));

        // The Durable extension's system key is no function key.
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(systemKey, method, path));
    }

    [Theory]
    [MemberData(nameof(ProductRoutes))]
    public async Task EveryProductRouteReachesTheAppWithTheFunctionKeyInTheHeaderOrTheQuery(string method, string route)
    {
        StartedCommand command = await StartFinishedCommandAsync();
        string path = route.Replace("{id}", command.Id, StringComparison.Ordinal)
            .Replace("{token}", PinToken(command), StringComparison.Ordinal);
        using HttpClient withHeader = fixture.CreateClient(fixture.FunctionKey);
        using HttpClient anonymous = fixture.CreateClient();

        // Answers of the app itself: the start body is empty (400), the status 200, the PIN too late (409).
        HttpStatusCode expected = (method, route) switch
        {
            ("POST", "api/commands") => HttpStatusCode.BadRequest,
            ("GET", _) => HttpStatusCode.OK,
            _ => HttpStatusCode.Conflict,
        };
        Assert.Equal(expected, await SendAsync(withHeader, method, path));
        Assert.Equal(expected, await SendAsync(anonymous, method, WithQuery(path, "code=" + fixture.FunctionKey)));
    }

    [Fact]
    public async Task AStartRefusedForItsKeyStartsNothing()
    {
        string instanceId = "fn-key-" + Guid.NewGuid().ToString("N");
        using HttpClient anonymous = fixture.CreateClient();
        using var content = new StringContent(
            JsonSerializer.Serialize(new { vin = TestVins.New(), api = "pims.vehicle.informations", parameters = new { actionType = "remote", action = "get" }, instanceId }), Encoding.UTF8, "application/json");

        using HttpResponseMessage refused = await anonymous.PostAsync(new Uri("api/commands", UriKind.Relative), content);
        using HttpClient withKey = fixture.CreateClient(fixture.FunctionKey);
        using HttpResponseMessage status = await withKey.GetAsync(new Uri($"api/commands/{instanceId}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
    }

    [Fact]
    public async Task TheDurableWebhooksRefuseTheFunctionKeyAndAcceptTheSystemKey()
    {
        StartedCommand command = await StartFinishedCommandAsync();
        string path = $"runtime/webhooks/durabletask/instances/{command.Id}";
        using HttpClient anonymous = fixture.CreateClient();
        using HttpClient functionKey = fixture.CreateClient(fixture.FunctionKey);
        using HttpClient systemKey = fixture.CreateClient(fixture.DurableSystemKey);

        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(anonymous, "GET", path));
        Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(functionKey, "GET", path));
        Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(anonymous, "GET", WithQuery(path, "code=" + fixture.FunctionKey)));

        using HttpResponseMessage accepted = await systemKey.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        using JsonDocument instance = JsonDocument.Parse(await accepted.Content.ReadAsStringAsync());
        Assert.Equal(command.Id, instance.RootElement.GetProperty("instanceId").GetString());
        Assert.Equal("VehicleCommand", instance.RootElement.GetProperty("name").GetString());
        Assert.Equal("Completed", instance.RootElement.GetProperty("runtimeStatus").GetString());
        Assert.Equal(HttpStatusCode.OK, await SendAsync(anonymous, "GET", WithQuery(path, "code=" + fixture.DurableSystemKey)));
    }

    private async Task<StartedCommand> StartFinishedCommandAsync()
    {
        using CommandsClient commands = fixture.Commands;
        StartedCommand command = await commands.StartAsync(TestVins.New(), "pims.vehicle.informations", new { actionType = "remote", action = "get" });
        await commands.WaitForFinishAsync(command);
        return command;
    }

    private static string PinToken(StartedCommand command)
        => System.Web.HttpUtility.ParseQueryString(command.PinUri.Query)["token"] ?? throw new InvalidOperationException($"No token in {command.PinUri}.");

    private static string WithQuery(string path, string query) => path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + query;

    private static async Task<HttpStatusCode> SendAsync(HttpClient http, string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
        if (method == "POST")
        {
            // The start body is empty on purpose (the app answers 400 when it gets that far); the PIN body is well formed.
            request.Content = new StringContent(path.Contains("/pin", StringComparison.Ordinal) ? "{\"pin\":\"123456\"}" : string.Empty, Encoding.UTF8, "application/json");
        }

        using HttpResponseMessage response = await http.SendAsync(request);
        return response.StatusCode;
    }
}
