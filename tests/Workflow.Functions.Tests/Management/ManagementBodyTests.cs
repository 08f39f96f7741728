using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Workflow.Durable;
using static Workflow.Functions.Tests.Management.ManagementTestServer;

namespace Workflow.Functions.Tests.Management;

/// <summary>
/// Request bodies of the management API over real HTTP: the start input and the event data may be any JSON value
/// (or nothing), read by the product API's body reader with its 64 KB limit; too large is 413 and malformed is 400,
/// and neither starts an instance nor raises an event.
/// </summary>
public sealed class ManagementBodyTests(ManagementServerFixture fixture) : IClassFixture<ManagementServerFixture>
{
    private const int MaxBytes = 64 * 1024;

    private ManagementTestServer Server => fixture.Server;

    // ---- any JSON value ------------------------------------------------------------------------------------

    [Theory]
    [InlineData("\"a string\"")]
    [InlineData("42")]
    [InlineData("-1.5e3")]
    [InlineData("[1,\"two\",null,{\"three\":3}]")]
    [InlineData("null")]
    [InlineData("true")]
    [InlineData("{\"city\":\"Tokyo\",\"n\":[1,2]}")]
    public async Task Any_json_value_is_accepted_as_start_input_and_as_event_data(string json)
    {
        string id = "any-" + Guid.NewGuid().ToString("N");

        using (HttpResponseMessage started = await Server.PostJsonAsync($"orchestrators/{TestNames.AnyJson}/{id}", json))
        {
            Assert.True(started.StatusCode == HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
        }

        using (HttpResponseMessage status = await Server.GetAsync($"instances/{id}"))
        {
            using JsonDocument body = await ReadJsonAsync(status);
            AssertJsonEqual(json, body.RootElement.GetProperty("input"));
        }

        using (HttpResponseMessage raised = await Server.PostJsonAsync($"instances/{id}/raiseEvent/{TestNames.DataEvent}", json))
        {
            Assert.True(raised.StatusCode == HttpStatusCode.Accepted, await raised.Content.ReadAsStringAsync());
        }

        // The orchestration got both values as they were sent.
        JsonElement completed = await Server.WaitForStatusAsync(id, "Completed", "?showHistory=true&showHistoryOutput=true");
        JsonElement output = completed.GetProperty("output");
        AssertJsonEqual(json, output.GetProperty("input"));
        AssertJsonEqual(json, output.GetProperty("data"));
        JsonElement raisedEvent = Assert.Single(completed.GetProperty("historyEvents").EnumerateArray(), e => e.GetProperty("EventType").GetString() == "EventRaised");
        AssertJsonEqual(json, raisedEvent.GetProperty("Input"));
    }

    [Fact]
    public async Task Start_takes_json_in_any_content_type_and_an_empty_body_is_no_input_but_events_need_a_json_content_type()
    {
        string id = "ct-" + Guid.NewGuid().ToString("N");

        // The start body is read as JSON whatever its Content-Type says.
        using (HttpResponseMessage started = await Server.Http.PostAsync(Api($"orchestrators/{TestNames.AnyJson}/{id}"), new StringContent("[7]")))
        {
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        }

        OrchestrationMetadata? metadata = await Server.Client.GetInstanceAsync(id, getInputsAndOutputs: true);
        Assert.Equal("[7]", metadata?.SerializedInput);

        // Event data must say it is JSON; nothing is raised otherwise.
        using (HttpResponseMessage text = await Server.Http.PostAsync(Api($"instances/{id}/raiseEvent/{TestNames.DataEvent}"), new StringContent("[8]")))
        {
            await BadInputTests.AssertProblemAsync(text, HttpStatusCode.BadRequest, "Unsupported content type");
        }

        await AssertNoEventRaisedAsync(id);

        // An empty body is "no input" on start and null data on raiseEvent, whatever the content type.
        string empty = await Server.StartAsync(TestNames.AnyJson);
        Assert.Null((await Server.Client.GetInstanceAsync(empty, getInputsAndOutputs: true))?.SerializedInput);
        using (HttpResponseMessage raised = await Server.Http.PostAsync(Api($"instances/{empty}/raiseEvent/{TestNames.DataEvent}"), new StringContent(string.Empty)))
        {
            Assert.Equal(HttpStatusCode.Accepted, raised.StatusCode);
        }

        JsonElement completed = await Server.WaitForStatusAsync(empty, "Completed");
        Assert.Equal(JsonValueKind.Null, completed.GetProperty("output").GetProperty("input").ValueKind);
        Assert.Equal(JsonValueKind.Null, completed.GetProperty("output").GetProperty("data").ValueKind);
    }

    // ---- 413 -----------------------------------------------------------------------------------------------

    [Fact]
    public async Task A_start_body_over_64_KB_is_413_with_or_without_a_content_length_and_starts_nothing()
    {
        int before = await CountInstancesAsync();
        string body = JsonString(MaxBytes + 1);
        string sizedId = "big-" + Guid.NewGuid().ToString("N");
        string chunkedId = "big-" + Guid.NewGuid().ToString("N");

        using (HttpResponseMessage sized = await Server.PostJsonAsync($"orchestrators/{TestNames.AnyJson}/{sizedId}", body))
        {
            await AssertTooLargeAsync(sized);
        }

        using (HttpResponseMessage chunked = await PostChunkedAsync($"orchestrators/{TestNames.AnyJson}/{chunkedId}", body))
        {
            await AssertTooLargeAsync(chunked);
        }

        using (HttpResponseMessage withoutId = await Server.PostJsonAsync($"orchestrators/{TestNames.AnyJson}", body))
        {
            await AssertTooLargeAsync(withoutId);
        }

        foreach (string id in new[] { sizedId, chunkedId })
        {
            using HttpResponseMessage status = await Server.GetAsync($"instances/{id}");
            Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
        }

        Assert.Equal(before, await CountInstancesAsync());
    }

    [Fact]
    public async Task A_start_body_of_exactly_64_KB_is_accepted()
    {
        string body = JsonString(MaxBytes);
        Assert.Equal(MaxBytes, Encoding.UTF8.GetByteCount(body));

        string id = await Server.StartAsync(TestNames.AnyJson, body);

        OrchestrationMetadata? metadata = await Server.Client.GetInstanceAsync(id, getInputsAndOutputs: true);
        Assert.Equal(body, metadata?.SerializedInput);
    }

    [Fact]
    public async Task An_event_body_over_64_KB_is_413_with_or_without_a_content_length_and_raises_nothing()
    {
        string id = await Server.StartAsync(TestNames.AnyJson, "\"x\"");
        string body = JsonString(MaxBytes + 1);

        using (HttpResponseMessage sized = await Server.PostJsonAsync($"instances/{id}/raiseEvent/{TestNames.DataEvent}", body))
        {
            await AssertTooLargeAsync(sized);
        }

        using (HttpResponseMessage chunked = await PostChunkedAsync($"instances/{id}/raiseEvent/{TestNames.DataEvent}", body))
        {
            await AssertTooLargeAsync(chunked);
        }

        await AssertNoEventRaisedAsync(id);
        using (HttpResponseMessage status = await Server.GetAsync($"instances/{id}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, status.StatusCode);
        }

        // The instance is unharmed: the next event that fits is delivered.
        using (HttpResponseMessage raised = await Server.PostJsonAsync($"instances/{id}/raiseEvent/{TestNames.DataEvent}", "\"small\""))
        {
            Assert.Equal(HttpStatusCode.Accepted, raised.StatusCode);
        }

        JsonElement completed = await Server.WaitForStatusAsync(id, "Completed");
        Assert.Equal("small", completed.GetProperty("output").GetProperty("data").GetString());
    }

    [Fact]
    public async Task A_pin_event_over_64_KB_is_413_and_is_not_delivered()
    {
        string id = await Server.StartAsync(TestNames.PinWaiter);

        using HttpResponseMessage response = await Server.PostJsonAsync($"instances/{id}/raiseEvent/Pin", $$"""{"pin":"1234","x":"{{new string('x', MaxBytes)}}"}""");

        JsonElement problem = await AssertTooLargeAsync(response);
        Assert.DoesNotContain("1234", problem.GetRawText(), StringComparison.Ordinal);
        await AssertNoEventRaisedAsync(id);
        using HttpResponseMessage status = await Server.GetAsync($"instances/{id}");
        Assert.Equal(HttpStatusCode.Accepted, status.StatusCode);
    }

    // ---- 400 -----------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("{\"city\": ")]
    [InlineData("{\"secret\": s3cr3t}")]
    [InlineData("\"s3cr3t")]
    [InlineData("[1,]")]
    [InlineData("s3cr3t")]
    [InlineData("1 2")]
    public async Task Malformed_json_is_400_on_start_and_on_raiseEvent_without_quoting_the_body_and_changes_nothing(string json)
    {
        int before = await CountInstancesAsync();
        string newId = "bad-" + Guid.NewGuid().ToString("N");

        using (HttpResponseMessage start = await Server.PostJsonAsync($"orchestrators/{TestNames.AnyJson}/{newId}", json))
        {
            JsonElement problem = await BadInputTests.AssertProblemAsync(start, HttpStatusCode.BadRequest, "Malformed JSON");
            Assert.DoesNotContain("s3cr3t", problem.GetRawText(), StringComparison.Ordinal);
        }

        using (HttpResponseMessage status = await Server.GetAsync($"instances/{newId}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
        }

        Assert.Equal(before, await CountInstancesAsync());

        string id = await Server.StartAsync(TestNames.AnyJson, "\"x\"");
        foreach (string eventName in new[] { TestNames.DataEvent, "Pin" })
        {
            using HttpResponseMessage raise = await Server.PostJsonAsync($"instances/{id}/raiseEvent/{eventName}", json);
            JsonElement problem = await BadInputTests.AssertProblemAsync(raise, HttpStatusCode.BadRequest, "Malformed JSON");
            Assert.DoesNotContain("s3cr3t", problem.GetRawText(), StringComparison.Ordinal);
        }

        await AssertNoEventRaisedAsync(id);
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    /// <summary>A JSON string literal of exactly <paramref name="bytes"/> bytes (quotes included).</summary>
    private static string JsonString(int bytes) => "\"" + new string('x', bytes - 2) + "\"";

    private static async Task<JsonElement> AssertTooLargeAsync(HttpResponseMessage response)
    {
        JsonElement problem = await BadInputTests.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "Request body too large");
        Assert.Contains("64 KB", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        return problem;
    }

    private static void AssertJsonEqual(string expected, JsonElement actual)
        => Assert.True(
            JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual.GetRawText())),
            $"Expected {expected}, got {actual.GetRawText()}");

    private async Task<HttpResponseMessage> PostChunkedAsync(string relative, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Api(relative))
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(json))),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TransferEncodingChunked = true;
        return await Server.Http.SendAsync(request);
    }

    private async Task AssertNoEventRaisedAsync(string instanceId)
    {
        OrchestrationMetadata? metadata = await Server.Client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, getHistory: true);
        Assert.NotNull(metadata);
        Assert.DoesNotContain(metadata.History!, e => e.EventType == "EventRaised");
    }

    private async Task<int> CountInstancesAsync()
        => (await Server.Client.QueryInstancesAsync(new OrchestrationQuery { PageSize = 1000 })).Instances.Count;
}
