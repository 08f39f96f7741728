using System.Net;
using System.Text;
using System.Text.Json;
using Workflow.LocalHost.Tests.Support;

namespace Workflow.LocalHost.Tests;

/// <summary>
/// Bad input over HTTP: each answered with a 4xx <c>application/problem+json</c> with a clear title and detail, and
/// nothing changed (no instance created, no event delivered, no vehicle call).
/// </summary>
[Collection(LocalHostApiTests.Name)]
public sealed class BadInputTests(LocalHostFixture fixture)
{
    private CommandsClient Api => fixture.Api;

    private const string DemoVin = "VF7ABCDEFGH000001";

    public static TheoryData<string, string, string> InvalidStartFields()
    {
        // Valid but for the one field each row is about.
        string api = TestCommands.StrongAuthApi;
        string parameters = TestCommands.StrongAuthParameters;
        return new TheoryData<string, string, string>
        {
            { $$"""{"api":"{{api}}","parameters":{{parameters}}}""", "vin", "vin is required" },
            { $$"""{"vin":"VF7ABCDEFGH00001","api":"{{api}}","parameters":{{parameters}}}""", "vin", "17 characters" },
            { $$"""{"vin":"VF7ABCDEFGI000001","api":"{{api}}","parameters":{{parameters}}}""", "vin", "except I, O and Q" },
            { $$"""{"vin":"vf7abcdefgh000001","api":"{{api}}","parameters":{{parameters}}}""", "vin", "capital letters" },
            { $$"""{"vin":12345678901234567,"api":"{{api}}","parameters":{{parameters}}}""", "vin", "must be a string" },
            { $$"""{"vin":"{{DemoVin}}","parameters":{{parameters}}}""", "api", "api is required" },
            { $$"""{"vin":"{{DemoVin}}","api":"pims remote door lock","parameters":{{parameters}}}""", "api", "pims API name" },
            { $$$"""{"vin":"{{{DemoVin}}}","api":"pims.authentication.otp","parameters":{"action":"withPIN","pinCode":"123456"}}""", "api", "cannot be started as a command" },
            { $$$"""{"vin":"{{{DemoVin}}}","api":"PIMS.Authentication.OTP","parameters":{"action":"withPIN"}}""", "api", "cannot be started as a command" },
            { $$"""{"vin":"{{DemoVin}}","api":"{{api}}","parameters":[1]}""", "parameters", "JSON object" },
            { $$"""{"vin":"{{DemoVin}}","api":"pims.remote.door.lock","parameters":{{parameters}}}""", "api", "is not an API this product sends" },
            { $$$"""{"vin":"{{{DemoVin}}}","api":"{{{api}}}","parameters":{"action":"doors","doorState":"open"}}""", "parameters.doorState", "must be one of lock" },
            { $$"""{"vin":"{{DemoVin}}","api":"{{api}}","parameters":{{parameters}},"instanceId":"a/b"}""", "instanceId", "'/'" },
        };
    }

    [Theory]
    [MemberData(nameof(InvalidStartFields))]
    public async Task An_invalid_start_field_is_400_naming_the_field_and_starts_nothing(string body, string field, string message)
    {
        int before = await fixture.CountInstancesAsync();

        using HttpResponseMessage response = await Api.PostStartAsync(body);

        JsonElement problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "Invalid command request");
        Assert.Contains(message, problem.GetProperty("errors").GetProperty(field)[0].GetString(), StringComparison.Ordinal);
        Assert.Contains(message, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await fixture.CountInstancesAsync());
        Assert.Empty(await fixture.Simulator.GetRequestsAsync(DemoVin));
    }

    [Theory]
    [InlineData("{\"instanceId\":\"bad-json\",\"vin\":", "Malformed JSON")]
    [InlineData("not json", "Malformed JSON")]
    [InlineData("", "Request body required")]
    [InlineData("[1,2]", "JSON object expected")]
    public async Task A_start_body_that_is_not_a_json_object_is_400_and_starts_nothing(string body, string title)
    {
        int before = await fixture.CountInstancesAsync();

        using HttpResponseMessage response = await Api.PostStartAsync(body);

        JsonElement problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, title);
        Assert.DoesNotContain("bad-json", problem.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(before, await fixture.CountInstancesAsync());
    }

    [Fact]
    public async Task A_start_body_over_64_KB_is_413_with_or_without_a_content_length_and_starts_nothing()
    {
        int before = await fixture.CountInstancesAsync();
        string vin = TestVins.New();
        string instanceId = TestIds.Instance("too-large");
        string body = CommandsClient.Body(vin, TestCommands.StrongAuthApi, instanceId, $$"""{"padding":"{{new string('x', 64 * 1024)}}"}""");

        using (HttpResponseMessage sized = await Api.PostStartAsync(body))
        {
            await Problems.AssertAsync(sized, HttpStatusCode.RequestEntityTooLarge, "Request body too large");
        }

        using (var chunked = new HttpRequestMessage(HttpMethod.Post, new Uri("api/commands", UriKind.Relative)) { Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body))) })
        {
            chunked.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            chunked.Headers.TransferEncodingChunked = true;
            using HttpResponseMessage response = await Api.Http.SendAsync(chunked);
            await Problems.AssertAsync(response, HttpStatusCode.RequestEntityTooLarge, "Request body too large");
        }

        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetStatusAsync(instanceId)).StatusCode);
        Assert.Equal(before, await fixture.CountInstancesAsync());
        Assert.Empty(await fixture.Simulator.GetRequestsAsync(vin));
    }

    [Fact]
    public async Task A_pin_that_is_not_4_to_8_digits_is_400_and_is_not_delivered()
    {
        (StartedCommand started, string vin) = await StartAndWaitForPinAsync();

        foreach (string body in (string[])["""{"pin":"123"}""", """{"pin":"123456789"}""", """{"pin":"12a4"}""", """{"pin":" 1234"}""", """{"pin":1234}""", """{"pin":null}""", "{}"])
        {
            using HttpResponseMessage response = await Api.PostPinBodyAsync(started.PinPostUri, body);
            JsonElement problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "Invalid PIN");
            Assert.True(problem.GetProperty("errors").TryGetProperty("pin", out _), body);
        }

        await AssertNothingDeliveredAsync(started, vin);
    }

    [Fact]
    public async Task Malformed_json_and_an_oversized_body_on_the_pin_route_are_400_and_413_and_are_not_delivered()
    {
        (StartedCommand started, string vin) = await StartAndWaitForPinAsync();

        using (HttpResponseMessage malformed = await Api.PostPinBodyAsync(started.PinPostUri, "{\"pin\":\"0000\""))
        {
            await Problems.AssertAsync(malformed, HttpStatusCode.BadRequest, "Malformed JSON");
        }

        using (HttpResponseMessage large = await Api.PostPinBodyAsync(started.PinPostUri, $$"""{"pin":"0000","x":"{{new string('x', 70_000)}}"}"""))
        {
            await Problems.AssertAsync(large, HttpStatusCode.RequestEntityTooLarge, "Request body too large");
        }

        await AssertNothingDeliveredAsync(started, vin);
    }

    [Fact]
    public async Task A_missing_or_wrong_pin_token_is_403_and_is_not_delivered()
    {
        (StartedCommand started, string vin) = await StartAndWaitForPinAsync();
        (StartedCommand other, _) = await StartAndWaitForPinAsync();
        string token = TokenOf(started);
        string tampered = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];
        string[] parts = token.Split('.');
        string unknownKeyVersion = $"nope.{parts[1]}.{parts[2]}";
        string otherRound = $"{parts[0]}.2.{parts[2]}"; // the round is under the MAC too

        foreach (string query in (string[])[string.Empty, "?token=", "?token=" + TokenOf(other), "?token=" + tampered, "?token=" + unknownKeyVersion, "?token=" + otherRound, "?token=" + token + "&token=" + token])
        {
            using HttpResponseMessage response = await Api.PostPinAsync(new Uri($"/api/commands/{started.Id}/pin{query}", UriKind.Relative), "0000");
            await Problems.AssertAsync(response, HttpStatusCode.Forbidden, "Invalid PIN token");
        }

        await AssertNothingDeliveredAsync(started, vin);
    }

    [Fact]
    public async Task An_unknown_command_is_404_for_its_status_and_its_pin_uri_is_refused_like_a_wrong_token()
    {
        string id = TestIds.Instance("unknown");
        using (HttpResponseMessage status = await Api.Http.GetAsync(CommandsClient.StatusPath(id)))
        {
            await Problems.AssertAsync(status, HttpStatusCode.NotFound, "Command not found");
        }

        // A well-formed token (another command's): the PIN route answers an unknown id like a wrong token, so that a
        // stranger learns nothing about which ids exist.
        (StartedCommand other, _) = await StartAndWaitForPinAsync();
        using (HttpResponseMessage pin = await Api.PostPinAsync(new Uri($"/api/commands/{id}/pin?token={Uri.EscapeDataString(TokenOf(other))}", UriKind.Relative), "1234"))
        {
            await Problems.AssertAsync(pin, HttpStatusCode.Forbidden, "Invalid PIN token");
        }

        Assert.Null(await fixture.App.Client.GetInstanceAsync(id));
    }

    [Fact]
    public async Task A_start_body_not_sent_as_json_is_415_and_one_naming_a_property_twice_is_400_and_neither_starts_anything()
    {
        int before = await fixture.CountInstancesAsync();
        string vin = TestVins.New();
        string instanceId = TestIds.Instance("not-json");

        using (var plain = new StringContent(TestCommands.StrongAuth(vin, instanceId), Encoding.UTF8, "text/plain"))
        using (HttpResponseMessage response = await Api.Http.PostAsync(new Uri("api/commands", UriKind.Relative), plain))
        {
            await Problems.AssertAsync(response, HttpStatusCode.UnsupportedMediaType, "Unsupported content type");
        }

        string twice = $$"""{"vin":"{{vin}}","api":"{{TestCommands.PlainApi}}","api":"{{TestCommands.StrongAuthApi}}","parameters":{{TestCommands.StrongAuthParameters}},"instanceId":"{{instanceId}}"}""";
        using (HttpResponseMessage response = await Api.PostStartAsync(twice))
        {
            await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "Malformed JSON");
        }

        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetStatusAsync(instanceId)).StatusCode);
        Assert.Equal(before, await fixture.CountInstancesAsync());
        Assert.Empty(await fixture.Simulator.GetRequestsAsync(vin));
    }

    [Fact]
    public async Task A_pin_for_a_finished_command_is_409()
    {
        StartedCommand started = await Api.StartAsync(TestCommands.Plain(TestVins.New()));
        await Api.WaitForFinishedAsync(started.StatusQueryGetUri);

        using HttpResponseMessage response = await Api.PostPinAsync(started.PinPostUri, "1234");

        JsonElement problem = await Problems.AssertAsync(response, HttpStatusCode.Conflict, "Command already finished");
        Assert.Contains("Completed", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("EventRaised", await fixture.HistoryEventTypesAsync(started.Id));
    }

    [Theory]
    [InlineData("PUT", "api/commands")]
    [InlineData("DELETE", "api/commands/{id}")]
    [InlineData("PATCH", "api/commands/{id}")]
    [InlineData("GET", "api/commands/{id}/pin")]
    public async Task A_route_called_with_another_method_is_405_naming_the_api_routes_and_changes_nothing(string method, string route)
    {
        (StartedCommand started, string vin) = await StartAndWaitForPinAsync();
        int before = await fixture.CountInstancesAsync();

        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(route.Replace("{id}", started.Id, StringComparison.Ordinal), UriKind.Relative))
        {
            Content = method == "GET" ? null : CommandsClient.Json(TestCommands.StrongAuth(TestVins.New())),
        };
        using HttpResponseMessage response = await Api.Http.SendAsync(request);

        JsonElement problem = await Problems.AssertAsync(response, HttpStatusCode.MethodNotAllowed, "Method Not Allowed");
        Assert.Contains($"{method} is not allowed", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("POST /api/commands", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await fixture.CountInstancesAsync());
        await AssertNothingDeliveredAsync(started, vin);
    }

    [Fact]
    public async Task A_path_the_api_does_not_have_is_404_naming_the_api_routes()
    {
        using HttpResponseMessage response = await Api.Http.GetAsync(new Uri("api/orchestrations", UriKind.Relative));

        JsonElement problem = await Problems.AssertAsync(response, HttpStatusCode.NotFound, "Not Found");
        Assert.Contains("There is no route /api/orchestrations", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("GET /api/commands/{id}", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_error_answer_echoes_the_pin_the_token_or_the_key_it_was_sent()
    {
        (StartedCommand started, string vin) = await StartAndWaitForPinAsync();
        string token = TokenOf(started);
        const string overlongPin = "918273645546372819";
        const string wrongKey = "wrong-key-918273645546";
        var answers = new List<string>();

        async Task CollectAsync(HttpResponseMessage response, HttpStatusCode expected)
        {
            using (response)
            {
                string text = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {text}");
                answers.Add(text);
            }
        }

        await CollectAsync(await Api.PostPinAsync(started.PinPostUri, overlongPin), HttpStatusCode.BadRequest);
        await CollectAsync(await Api.PostPinBodyAsync(started.PinPostUri, $$"""{"pin":"{{overlongPin}}","pin":"1234"}"""), HttpStatusCode.BadRequest);
        await CollectAsync(await Api.PostPinAsync(new Uri($"/api/commands/{started.Id}/pin?token={Uri.EscapeDataString(token)}x", UriKind.Relative), "4321"), HttpStatusCode.Forbidden);
        using (var stranger = new CommandsClient(Api.BaseAddress, wrongKey))
        {
            await CollectAsync(await stranger.PostPinAsync(started.PinPostUri, overlongPin), HttpStatusCode.Unauthorized);
        }

        Assert.All(answers, text =>
        {
            Assert.DoesNotContain(overlongPin, text, StringComparison.Ordinal);
            Assert.DoesNotContain(token, text, StringComparison.Ordinal);
            Assert.DoesNotContain(wrongKey, text, StringComparison.Ordinal);
        });
        await AssertNothingDeliveredAsync(started, vin);
    }

    private static string TokenOf(StartedCommand command)
        => System.Web.HttpUtility.ParseQueryString(command.PinPostUri.OriginalString.Split('?', 2)[1])["token"]!;

    private async Task<(StartedCommand Started, string Vin)> StartAndWaitForPinAsync()
    {
        string vin = TestVins.New();
        StartedCommand started = await Api.StartAsync(TestCommands.StrongAuth(vin));
        await Api.WaitForStageAsync(started.StatusQueryGetUri, "AwaitingPin");
        return (started, vin);
    }

    /// <summary>
    /// Nothing reached the orchestration: it still waits with every attempt left and no event in its history, and the
    /// right PIN then completes it with one attempt used and a single OTP request upstream (a refused PIN, "0000", that
    /// had slipped through would have been taken first and counted as a failed attempt).
    /// </summary>
    private async Task AssertNothingDeliveredAsync(StartedCommand started, string vin)
    {
        CommandStatus now = await Api.GetStatusAsync(started.StatusQueryGetUri);
        Assert.Equal("AwaitingPin", now.Stage);
        Assert.Equal(3, now.CustomStatus.GetProperty("pinAttemptsLeft").GetInt32());
        Assert.DoesNotContain("EventRaised", await fixture.HistoryEventTypesAsync(started.Id));

        await Api.DeliverPinAsync(started.PinPostUri, LocalHostFixture.DefaultPin);
        CommandStatus finished = await Api.WaitForFinishedAsync(started.StatusQueryGetUri);
        Assert.Equal("Succeeded", finished.Outcome);
        Assert.Equal(1, finished.Output.GetProperty("pinAttemptsUsed").GetInt32());
        Assert.Single(await fixture.Simulator.GetRequestsAsync(vin), e => e.Api == RequestLog.OtpApi);
    }
}
