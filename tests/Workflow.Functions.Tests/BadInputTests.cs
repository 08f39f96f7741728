using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Workflow.Durable;
using Workflow.Functions.Security;
using Workflow.Functions.Tests.Support;

namespace Workflow.Functions.Tests;

/// <summary>
/// Every row of the bad-input list: each answered with <c>application/problem+json</c> and a clear title,
/// and nothing persisted (no instance created, no event delivered).
/// </summary>
public sealed class BadInputTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    public static TheoryData<string, string, string> InvalidStartBodies => new()
    {
        { "{}", "vin", "vin is required" },
        { """{"api":"pims.remote.door.lock"}""", "vin", "vin is required" },
        { """{"vin":"VF7ABCDEFGH00001","api":"pims.remote.door.lock"}""", "vin", "17 characters" },
        { """{"vin":"VF7ABCDEFGH0000012","api":"pims.remote.door.lock"}""", "vin", "17 characters" },
        { """{"vin":"VF7ABCDEFGI000001","api":"pims.remote.door.lock"}""", "vin", "except I, O and Q" },
        { """{"vin":"VF7ABCDEFGO000001","api":"pims.remote.door.lock"}""", "vin", "except I, O and Q" },
        { """{"vin":"VF7ABCDEFGQ000001","api":"pims.remote.door.lock"}""", "vin", "except I, O and Q" },
        { """{"vin":"vf7abcdefgh000001","api":"pims.remote.door.lock"}""", "vin", "capital letters" },
        { """{"vin":12345678901234567,"api":"pims.remote.door.lock"}""", "vin", "must be a string" },
        { """{"vin":"VF7ABCDEFGH000001"}""", "api", "api is required" },
        { """{"vin":"VF7ABCDEFGH000001","api":""}""", "api", "api is required" },
        { """{"vin":"VF7ABCDEFGH000001","api":"pims remote door lock"}""", "api", "pims API name" },
        { """{"vin":"VF7ABCDEFGH000001","api":"pims.authentication.otp","parameters":{"action":"withPIN"}}""", "api", "cannot be started as a command" },
        { """{"vin":"VF7ABCDEFGH000001","api":"pims.remote.door.lock","parameters":[1]}""", "parameters", "JSON object" },
        { """{"vin":"VF7ABCDEFGH000001","api":"pims.remote.door.lock","instanceId":"a/b"}""", "instanceId", "without '/'" },
        { """{"vin":"VF7ABCDEFGH000001","api":"pims.remote.door.lock","instanceId":""}""", "instanceId", "1 to 100" },
    };

    [Theory]
    [InlineData("{\"vin\":", "Malformed JSON")]
    [InlineData("not json", "Malformed JSON")]
    [InlineData("", "Request body required")]
    [InlineData("[1,2]", "JSON object expected")]
    public async Task A_start_body_that_is_not_a_json_object_is_400_and_starts_nothing(string body, string title)
    {
        int before = await CountInstancesAsync();

        using HttpResponseMessage response = await App.Http.PostAsync("api/commands", TestApp.Json(body));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, title);
        Assert.Equal(before, await CountInstancesAsync());
    }

    [Theory]
    [MemberData(nameof(InvalidStartBodies))]
    public async Task An_invalid_field_is_400_naming_the_field_and_starts_nothing(string body, string field, string message)
    {
        int before = await CountInstancesAsync();

        using HttpResponseMessage response = await App.Http.PostAsync("api/commands", TestApp.Json(body));

        JsonElement problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "Invalid command request");
        string error = problem.GetProperty("errors").GetProperty(field)[0].GetString()!;
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Contains(message, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await CountInstancesAsync());
    }

    [Fact]
    public async Task A_body_over_64_KB_is_413_with_or_without_a_content_length()
    {
        int before = await CountInstancesAsync();
        string padding = new('x', 64 * 1024);
        string body = $$$"""{"vin":"{{{TestVins.New()}}}","api":"pims.remote.door.lock","parameters":{"padding":"{{{padding}}}"}}""";

        using (HttpResponseMessage sized = await App.Http.PostAsync("api/commands", TestApp.Json(body)))
        {
            await AssertProblemAsync(sized, HttpStatusCode.RequestEntityTooLarge, "Request body too large");
        }

        using (var chunked = new HttpRequestMessage(HttpMethod.Post, "api/commands") { Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body))) })
        {
            chunked.Headers.TransferEncodingChunked = true;
            using HttpResponseMessage response = await App.Http.SendAsync(chunked);
            await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "Request body too large");
        }

        Assert.Equal(before, await CountInstancesAsync());
    }

    [Fact]
    public async Task A_body_of_exactly_64_KB_is_accepted()
    {
        string vin = TestVins.New();
        string prefix = $$"""{"vin":"{{vin}}","api":"pims.vehicle.status","parameters":{"padding":""" + "\"";
        const string Suffix = "\"}}";
        string body = prefix + new string('x', (64 * 1024) - prefix.Length - Suffix.Length) + Suffix;
        Assert.Equal(64 * 1024, Encoding.UTF8.GetByteCount(body));

        using HttpResponseMessage response = await App.Http.PostAsync("api/commands", TestApp.Json(body));

        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("""{"pin":"123"}""")]
    [InlineData("""{"pin":"123456789"}""")]
    [InlineData("""{"pin":"12a4"}""")]
    [InlineData("""{"pin":" 1234"}""")]
    [InlineData("""{"pin":1234}""")]
    [InlineData("""{"pin":null}""")]
    [InlineData("""{}""")]
    public async Task A_pin_that_is_not_4_to_8_digits_is_400_and_is_not_delivered(string body)
    {
        (JsonElement started, JsonElement waiting) = await StartAndWaitForPinAsync();

        using HttpResponseMessage response = await App.Http.PostAsync(started.GetProperty("pinPostUri").GetString(), TestApp.Json(body));

        JsonElement problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "Invalid PIN");
        Assert.True(problem.GetProperty("errors").TryGetProperty("pin", out _));
        await AssertStillWaitingAsync(started, waiting);
    }

    [Fact]
    public async Task Malformed_json_and_an_oversized_body_on_the_pin_endpoint_are_400_and_413()
    {
        (JsonElement started, JsonElement waiting) = await StartAndWaitForPinAsync();
        string pinUri = started.GetProperty("pinPostUri").GetString()!;

        using (HttpResponseMessage malformed = await App.Http.PostAsync(pinUri, TestApp.Json("{\"pin\":\"1234\"")))
        {
            await AssertProblemAsync(malformed, HttpStatusCode.BadRequest, "Malformed JSON");
        }

        using (HttpResponseMessage large = await App.Http.PostAsync(pinUri, TestApp.Json($$"""{"pin":"1234","x":"{{new string('x', 70_000)}}"}""")))
        {
            await AssertProblemAsync(large, HttpStatusCode.RequestEntityTooLarge, "Request body too large");
        }

        await AssertStillWaitingAsync(started, waiting);
    }

    [Fact]
    public async Task An_unknown_command_is_404_for_status_and_for_a_pin_with_a_valid_token()
    {
        using (HttpResponseMessage status = await App.Http.GetAsync("api/commands/no-such-command"))
        {
            await AssertProblemAsync(status, HttpStatusCode.NotFound, "Command not found");
        }

        string token = await App.Services.GetRequiredService<PinTokens>().CreateAsync("no-such-command", CancellationToken.None);
        using HttpResponseMessage pin = await App.Http.PostAsync($"api/commands/no-such-command/pin?token={Uri.EscapeDataString(token)}", TestApp.Json("""{"pin":"1234"}"""));
        await AssertProblemAsync(pin, HttpStatusCode.NotFound, "Command not found");
        Assert.Null(await App.Client.GetInstanceAsync("no-such-command"));
    }

    [Fact]
    public async Task A_pin_for_a_finished_command_is_409()
    {
        JsonElement started = await fixture.Api.StartAsync(CommandsApi.Body(TestVins.New(), api: "pims.vehicle.status", parameters: "{}"));
        await fixture.Api.WaitForFinishedAsync(started.GetProperty("statusQueryGetUri").GetString()!);

        using HttpResponseMessage response = await fixture.Api.PostPinAsync(started.GetProperty("pinPostUri").GetString()!, "1234");

        JsonElement problem = await AssertProblemAsync(response, HttpStatusCode.Conflict, "Command already finished");
        Assert.Contains("Completed", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_or_missing_pin_token_is_403_and_is_not_delivered()
    {
        (JsonElement started, JsonElement waiting) = await StartAndWaitForPinAsync();
        string id = started.GetProperty("id").GetString()!;
        string pinUri = started.GetProperty("pinPostUri").GetString()!;
        string token = new Uri(pinUri).Query["?token=".Length..];

        (JsonElement other, _) = await StartAndWaitForPinAsync();
        string otherToken = new Uri(other.GetProperty("pinPostUri").GetString()!).Query["?token=".Length..];
        string tampered = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];

        foreach (string uri in new[]
        {
            $"api/commands/{id}/pin",
            $"api/commands/{id}/pin?token=",
            $"api/commands/{id}/pin?token={otherToken}",
            $"api/commands/{id}/pin?token={tampered}",
            $"api/commands/{id}/pin?token=config.{token.Split('.')[1][..10]}",
            $"api/commands/{id}/pin?token=nope.{token.Split('.')[1]}",
            $"api/commands/{id}/pin?token=..%2F..%2Fsecrets.{token.Split('.')[1]}",
        })
        {
            using HttpResponseMessage response = await App.Http.PostAsync(uri, TestApp.Json("""{"pin":"123456"}"""));
            await AssertProblemAsync(response, HttpStatusCode.Forbidden, "Invalid PIN token");
        }

        await AssertStillWaitingAsync(started, waiting);
    }

    [Fact]
    public async Task Repeating_a_start_with_the_same_instance_id_and_body_returns_the_same_command()
    {
        string instanceId = "same-" + Guid.NewGuid().ToString("N");
        string vin = TestVins.New();
        JsonElement first = await fixture.Api.StartAsync(CommandsApi.Body(vin, instanceId: instanceId, parameters: """{"a":1,"b":[true,"x"]}"""));

        // Same command, properties in another order: still the same request.
        JsonElement second = await fixture.Api.StartAsync(
            $$"""{"parameters":{"b":[true,"x"],"a":1},"instanceId":"{{instanceId}}","api":"pims.remote.door.lock","vin":"{{vin}}"}""");

        Assert.Equal(instanceId, first.GetProperty("id").GetString());
        Assert.Equal(first.GetRawText(), second.GetRawText());
        OrchestrationQueryResult instances = await App.Client.QueryInstancesAsync(new OrchestrationQuery { InstanceIdPrefix = instanceId });
        Assert.Single(instances.Instances);
    }

    [Theory]
    [InlineData("""{"a":2}""", "pims.remote.door.lock")]
    [InlineData("""{"a":1}""", "pims.remote.door.unlock")]
    [InlineData("null", "pims.remote.door.lock")]
    public async Task Repeating_a_start_with_the_same_instance_id_and_another_body_is_409(string parameters, string api)
    {
        string instanceId = "conflict-" + Guid.NewGuid().ToString("N");
        string vin = TestVins.New();
        JsonElement first = await fixture.Api.StartAsync(CommandsApi.Body(vin, instanceId: instanceId, parameters: """{"a":1}"""));

        using HttpResponseMessage response = await App.Http.PostAsync("api/commands", TestApp.Json(CommandsApi.Body(vin, api, instanceId, parameters)));

        JsonElement problem = await AssertProblemAsync(response, HttpStatusCode.Conflict, "Instance id already in use");
        Assert.Contains(instanceId, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        OrchestrationMetadata? metadata = await App.Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true);
        Assert.Contains("\"a\":1", metadata!.SerializedInput, StringComparison.Ordinal);
        Assert.Equal(first.GetProperty("id").GetString(), metadata.InstanceId);
    }

    internal static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string title)
    {
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        JsonElement problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal(title, problem.GetProperty("title").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        return problem;
    }

    private async Task<(JsonElement Started, JsonElement Waiting)> StartAndWaitForPinAsync()
    {
        JsonElement started = await fixture.Api.StartAsync(CommandsApi.Body(TestVins.New()));
        JsonElement waiting = await fixture.Api.WaitForStageAsync(started.GetProperty("statusQueryGetUri").GetString()!, "AwaitingPin");
        return (started, waiting);
    }

    /// <summary>Nothing reached the orchestration: no Pin event in history, and it still waits with the same attempts left.</summary>
    private async Task AssertStillWaitingAsync(JsonElement started, JsonElement waiting)
    {
        string id = started.GetProperty("id").GetString()!;
        OrchestrationMetadata? metadata = await App.Client.GetInstanceAsync(id, getInputsAndOutputs: false, getHistory: true);
        Assert.DoesNotContain(metadata!.History!, e => e.EventType == "EventRaised");
        (HttpStatusCode status, JsonElement now) = await fixture.Api.GetStatusAsync(started.GetProperty("statusQueryGetUri").GetString()!);
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal("AwaitingPin", now.GetProperty("customStatus").GetProperty("stage").GetString());
        Assert.Equal(
            waiting.GetProperty("customStatus").GetProperty("pinAttemptsLeft").GetInt32(),
            now.GetProperty("customStatus").GetProperty("pinAttemptsLeft").GetInt32());
    }

    private async Task<int> CountInstancesAsync()
        => (await App.Client.QueryInstancesAsync(new OrchestrationQuery { PageSize = 1000 })).Instances.Count;
}
