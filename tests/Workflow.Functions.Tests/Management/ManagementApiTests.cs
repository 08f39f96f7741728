using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Workflow.Durable;
using Workflow.Testing;
using static Workflow.Functions.Tests.Management.ManagementTestServer;

namespace Workflow.Functions.Tests.Management;

/// <summary>Every management endpoint over real HTTP: status codes, headers, JSON shapes and what is (not) persisted.</summary>
public sealed partial class ManagementApiTests(ManagementServerFixture fixture) : IClassFixture<ManagementServerFixture>
{
    private ManagementTestServer Server => fixture.Server;

    // ---- start ---------------------------------------------------------------------------------------------

    [Fact]
    public async Task Start_answers_202_with_Location_and_a_management_payload_that_carries_the_callers_key()
    {
        using HttpResponseMessage response = await Server.PostJsonAsync("orchestrators/Echo?code=k%2Bey", "\"hello\"");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(10), response.Headers.RetryAfter?.Delta);
        using JsonDocument body = await ReadJsonAsync(response);
        JsonElement payload = body.RootElement;
        string id = payload.GetProperty("id").GetString()!;
        Assert.Matches("^[0-9a-f]{32}$", id);

        string instance = $"{Server.BaseAddress}runtime/webhooks/durabletask/instances/{id}";
        Assert.Equal($"{instance}?code=k%2Bey", payload.GetProperty("statusQueryGetUri").GetString());
        Assert.Equal($"{instance}/raiseEvent/{{eventName}}?code=k%2Bey", payload.GetProperty("sendEventPostUri").GetString());
        Assert.Equal($"{instance}/terminate?reason={{text}}&code=k%2Bey", payload.GetProperty("terminatePostUri").GetString());
        Assert.Equal($"{instance}?code=k%2Bey", payload.GetProperty("purgeHistoryDeleteUri").GetString());
        Assert.Equal(payload.GetProperty("statusQueryGetUri").GetString(), response.Headers.Location?.AbsoluteUri);

        // The links work as given: follow them the way a Durable Functions client would.
        using HttpResponseMessage status = await Server.Http.GetAsync(payload.GetProperty("statusQueryGetUri").GetString());
        Assert.Equal(HttpStatusCode.Accepted, status.StatusCode);
        using (JsonDocument statusBody = await ReadJsonAsync(status))
        {
            Assert.Equal("hello", statusBody.RootElement.GetProperty("input").GetString());
        }

        string raise = payload.GetProperty("sendEventPostUri").GetString()!.Replace("{eventName}", "Go", StringComparison.Ordinal);
        using HttpResponseMessage raised = await Server.Http.PostAsync(raise, Json("\"now\""));
        Assert.Equal(HttpStatusCode.Accepted, raised.StatusCode);
        JsonElement completed = await Server.WaitForStatusAsync(id, "Completed");
        Assert.Equal("HELLO:now", completed.GetProperty("output").GetString());
    }

    [Fact]
    public async Task Start_without_a_key_gives_links_without_a_query_and_accepts_an_empty_body()
    {
        using HttpResponseMessage response = await Server.PostJsonAsync("orchestrators/Echo", json: null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using JsonDocument body = await ReadJsonAsync(response);
        string id = body.RootElement.GetProperty("id").GetString()!;
        Assert.Equal($"{Server.BaseAddress}runtime/webhooks/durabletask/instances/{id}", body.RootElement.GetProperty("statusQueryGetUri").GetString());
        Assert.EndsWith("/terminate?reason={text}", body.RootElement.GetProperty("terminatePostUri").GetString(), StringComparison.Ordinal);

        using HttpResponseMessage status = await Server.GetAsync($"instances/{id}");
        using JsonDocument statusBody = await ReadJsonAsync(status);
        Assert.Equal(JsonValueKind.Null, statusBody.RootElement.GetProperty("input").ValueKind);
    }

    [Fact]
    public async Task Start_with_an_instance_id_uses_it_and_an_id_can_never_be_reused()
    {
        string id = "mgmt-" + Guid.NewGuid().ToString("N");

        Assert.Equal(id, await Server.StartAsync("Echo", "\"a\"", id));

        using (HttpResponseMessage again = await Server.PostJsonAsync($"orchestrators/Echo/{id}", "\"a\""))
        {
            await AssertProblemAsync(again, HttpStatusCode.Conflict);
        }

        // Product decision: even a finished instance keeps its id until it is purged.
        using (HttpResponseMessage go = await Server.PostJsonAsync($"instances/{id}/raiseEvent/Go", "\"x\""))
        {
            Assert.Equal(HttpStatusCode.Accepted, go.StatusCode);
        }

        await Server.WaitForStatusAsync(id, "Completed");
        using HttpResponseMessage restart = await Server.PostJsonAsync($"orchestrators/Echo/{id}", "\"b\"");
        JsonElement problem = await AssertProblemAsync(restart, HttpStatusCode.Conflict);
        Assert.Contains("purge", problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Start_refuses_unknown_orchestrators_malformed_json_and_invalid_ids_and_creates_nothing()
    {
        string id = "mgmt-" + Guid.NewGuid().ToString("N");

        using (HttpResponseMessage unknown = await Server.PostJsonAsync($"orchestrators/NoSuchOrchestrator/{id}", "{}"))
        {
            await AssertProblemAsync(unknown, HttpStatusCode.BadRequest);
        }

        using (HttpResponseMessage malformed = await Server.PostJsonAsync($"orchestrators/Echo/{id}", "{\"city\": "))
        {
            await AssertProblemAsync(malformed, HttpStatusCode.BadRequest);
        }

        using (HttpResponseMessage invalidId = await Server.PostJsonAsync("orchestrators/Echo/bad%23id", "\"a\""))
        {
            await AssertProblemAsync(invalidId, HttpStatusCode.BadRequest);
        }

        using HttpResponseMessage status = await Server.GetAsync($"instances/{id}");
        await AssertProblemAsync(status, HttpStatusCode.NotFound);
    }

    // ---- status --------------------------------------------------------------------------------------------

    [Fact]
    public async Task Status_of_a_running_instance_is_202_with_Location_and_the_Durable_Functions_shape()
    {
        string id = await Server.StartAsync("Echo", "\"tokyo\"");

        using HttpResponseMessage response = await Server.GetAsync($"instances/{id}");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal($"{Server.BaseAddress}runtime/webhooks/durabletask/instances/{id}", response.Headers.Location?.AbsoluteUri);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument body = await ReadJsonAsync(response);
        JsonElement s = body.RootElement;
        Assert.Equal(
            ["name", "instanceId", "runtimeStatus", "input", "customStatus", "output", "createdTime", "lastUpdatedTime"],
            s.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("Echo", s.GetProperty("name").GetString());
        Assert.Equal(id, s.GetProperty("instanceId").GetString());
        Assert.Equal("Running", s.GetProperty("runtimeStatus").GetString());
        Assert.Equal("tokyo", s.GetProperty("input").GetString());
        Assert.Equal("waiting", s.GetProperty("customStatus").GetProperty("stage").GetString());
        Assert.Equal(JsonValueKind.Null, s.GetProperty("output").ValueKind);
        Assert.Matches(InstanceTime(), s.GetProperty("createdTime").GetString());
        Assert.Matches(InstanceTime(), s.GetProperty("lastUpdatedTime").GetString());

        // The Location of a 202 is the URL that was polled, query included.
        using HttpResponseMessage withQuery = await Server.GetAsync($"instances/{id}?showInput=false&code=abc");
        Assert.Equal(HttpStatusCode.Accepted, withQuery.StatusCode);
        Assert.Equal($"{Server.BaseAddress}runtime/webhooks/durabletask/instances/{id}?showInput=false&code=abc", withQuery.Headers.Location?.AbsoluteUri);
        using JsonDocument hidden = await ReadJsonAsync(withQuery);
        Assert.Equal(JsonValueKind.Null, hidden.RootElement.GetProperty("input").ValueKind);
    }

    [Fact]
    public async Task Status_refuses_bad_flags_and_answers_404_for_unknown_or_impossible_ids()
    {
        using (HttpResponseMessage unknown = await Server.GetAsync($"instances/{Guid.NewGuid():N}"))
        {
            await AssertProblemAsync(unknown, HttpStatusCode.NotFound);
        }

        using (HttpResponseMessage impossible = await Server.GetAsync("instances/bad%23id"))
        {
            await AssertProblemAsync(impossible, HttpStatusCode.NotFound);
        }

        string id = await Server.StartAsync("Echo", "\"a\"");
        using HttpResponseMessage badFlag = await Server.GetAsync($"instances/{id}?showHistory=yes");
        JsonElement problem = await AssertProblemAsync(badFlag, HttpStatusCode.BadRequest);
        Assert.Contains("showHistory", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_of_a_completed_instance_is_200_and_its_history_has_the_Durable_Functions_shape()
    {
        string id = await Server.StartAsync("Echo", "\"tokyo\"");

        // Raise only once the activity has completed, so the history order is fixed.
        await Eventually.TrueAsync(
            async () => (await HistoryAsync(id, "&showHistoryOutput=true")).Any(e => e.GetProperty("EventType").GetString() == "TaskCompleted"),
            "the activity to complete");
        using (HttpResponseMessage go = await Server.PostJsonAsync($"instances/{id}/raiseEvent/Go", "\"now\""))
        {
            Assert.Equal(HttpStatusCode.Accepted, go.StatusCode);
        }

        await Server.WaitForStatusAsync(id, "Completed");
        using HttpResponseMessage response = await Server.GetAsync($"instances/{id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.Headers.Location);
        using (JsonDocument body = await ReadJsonAsync(response))
        {
            Assert.Equal("TOKYO:now", body.RootElement.GetProperty("output").GetString());
            Assert.False(body.RootElement.TryGetProperty("historyEvents", out _));
        }

        // Without showHistoryOutput: no payloads; scheduling and bookkeeping rows folded away as in Durable Functions.
        JsonElement[] plain = await HistoryAsync(id, string.Empty);
        Assert.Equal(["ExecutionStarted", "TaskCompleted", "EventRaised", "ExecutionCompleted"], plain.Select(e => e.GetProperty("EventType").GetString()!).ToArray());
        Assert.Equal("Echo", plain[0].GetProperty("FunctionName").GetString());
        Assert.Equal("tokyo", plain[0].GetProperty("Input").GetString());
        Assert.Equal("Upper", plain[1].GetProperty("FunctionName").GetString());
        Assert.True(DateTimeOffset.Parse(plain[1].GetProperty("ScheduledTime").GetString()!, CultureInfo.InvariantCulture) <= DateTimeOffset.Parse(plain[1].GetProperty("Timestamp").GetString()!, CultureInfo.InvariantCulture));
        Assert.False(plain[1].TryGetProperty("Result", out _));
        Assert.Equal("Go", plain[2].GetProperty("Name").GetString());
        Assert.False(plain[2].TryGetProperty("Input", out _));
        Assert.Equal("Completed", plain[3].GetProperty("OrchestrationStatus").GetString());
        Assert.False(plain[3].TryGetProperty("Result", out _));
        Assert.All(plain, e => Assert.Matches(HistoryTime(), e.GetProperty("Timestamp").GetString()));
        Assert.All(plain, e => Assert.False(e.TryGetProperty("EventId", out _)));

        JsonElement[] withOutput = await HistoryAsync(id, "&showHistoryOutput=true");
        Assert.Equal("TOKYO", withOutput[1].GetProperty("Result").GetString());
        Assert.Equal("now", withOutput[2].GetProperty("Input").GetString());
        Assert.Equal("TOKYO:now", withOutput[3].GetProperty("Result").GetString());

        JsonElement[] noInput = await HistoryAsync(id, "&showInput=false");
        Assert.False(noInput[0].TryGetProperty("Input", out _));
    }

    [Fact]
    public async Task Status_of_a_failed_instance_is_200_or_500_on_request_and_its_history_explains_the_failure()
    {
        string id = await Server.StartAsync("Failing", "\"x\"");
        await Server.WaitForStatusAsync(id, "Failed");

        using (HttpResponseMessage ok = await Server.GetAsync($"instances/{id}"))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            using JsonDocument body = await ReadJsonAsync(ok);
            Assert.Contains("Orchestrator function 'Failing' failed", body.RootElement.GetProperty("output").GetString(), StringComparison.Ordinal);
        }

        using (HttpResponseMessage error = await Server.GetAsync($"instances/{id}?returnInternalServerErrorOnFailure=true"))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
            using JsonDocument body = await ReadJsonAsync(error);
            Assert.Equal("Failed", body.RootElement.GetProperty("runtimeStatus").GetString());
        }

        JsonElement[] history = await HistoryAsync(id, "&showHistoryOutput=true");
        JsonElement failed = Assert.Single(history, e => e.GetProperty("EventType").GetString() == "TaskFailed");
        Assert.Equal("Boom", failed.GetProperty("FunctionName").GetString());
        Assert.Contains("boom: x", failed.GetProperty("Reason").GetString(), StringComparison.Ordinal);
        Assert.Contains(typeof(InvalidOperationException).FullName!, failed.GetProperty("Details").GetString(), StringComparison.Ordinal);
        Assert.Equal(typeof(InvalidOperationException).FullName, failed.GetProperty("FailureDetails").GetProperty("ErrorType").GetString());
        Assert.Equal("Failed", history[^1].GetProperty("OrchestrationStatus").GetString());
        Assert.True(history[^1].TryGetProperty("FailureDetails", out _));
    }

    [Fact]
    public async Task Timer_history_shows_when_the_timer_was_due_and_which_timer_fired()
    {
        string id = await Server.StartAsync("Timer");
        await Server.WaitForStatusAsync(id, "Completed");

        JsonElement[] history = await HistoryAsync(id, string.Empty);

        JsonElement created = Assert.Single(history, e => e.GetProperty("EventType").GetString() == "TimerCreated");
        JsonElement fired = Assert.Single(history, e => e.GetProperty("EventType").GetString() == "TimerFired");
        Assert.Matches(HistoryTime(), created.GetProperty("FireAt").GetString());
        Assert.Equal(created.GetProperty("FireAt").GetString(), fired.GetProperty("FireAt").GetString());
        Assert.Equal(JsonValueKind.Number, fired.GetProperty("TimerId").ValueKind);
    }

    // ---- raise event ---------------------------------------------------------------------------------------

    [Fact]
    public async Task RaiseEvent_is_202_for_a_waiting_instance_and_an_empty_body_is_null_data()
    {
        string id = await Server.StartAsync("Echo", "\"x\"");

        using HttpResponseMessage response = await Server.PostJsonAsync($"instances/{id}/raiseEvent/Go", json: null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        JsonElement completed = await Server.WaitForStatusAsync(id, "Completed");
        Assert.Equal("X:", completed.GetProperty("output").GetString());
    }

    [Fact]
    public async Task RaiseEvent_refuses_bad_json_and_non_json_and_answers_404_unknown_and_410_finished()
    {
        string id = await Server.StartAsync("Echo", "\"x\"");

        using (HttpResponseMessage malformed = await Server.PostJsonAsync($"instances/{id}/raiseEvent/Go", "{\"a\":"))
        {
            await AssertProblemAsync(malformed, HttpStatusCode.BadRequest);
        }

        using (HttpResponseMessage text = await Server.Http.PostAsync(Api($"instances/{id}/raiseEvent/Go"), new StringContent("\"x\"")))
        {
            await AssertProblemAsync(text, HttpStatusCode.BadRequest);
        }

        // Nothing was half-applied: the instance never saw an event.
        Assert.DoesNotContain(await HistoryAsync(id, string.Empty), e => e.GetProperty("EventType").GetString() == "EventRaised");

        using (HttpResponseMessage unknown = await Server.PostJsonAsync($"instances/{Guid.NewGuid():N}/raiseEvent/Go", "\"x\""))
        {
            await AssertProblemAsync(unknown, HttpStatusCode.NotFound);
        }

        using (HttpResponseMessage go = await Server.PostJsonAsync($"instances/{id}/raiseEvent/Go", "\"x\""))
        {
            Assert.Equal(HttpStatusCode.Accepted, go.StatusCode);
        }

        await Server.WaitForStatusAsync(id, "Completed");
        using HttpResponseMessage gone = await Server.PostJsonAsync($"instances/{id}/raiseEvent/Go", "\"again\"");
        await AssertProblemAsync(gone, HttpStatusCode.Gone);
    }

    [Theory]
    [InlineData("{\"pin\":\"123\"}")]
    [InlineData("{\"pin\":\"123456789\"}")]
    [InlineData("{\"pin\":\"12a4\"}")]
    [InlineData("{\"pin\":\" 1234\"}")]
    [InlineData("{\"pin\":1234}")]
    [InlineData("{\"code\":\"1234\"}")]
    [InlineData("\"1234\"")]
    [InlineData("[\"1234\"]")]
    [InlineData(null)]
    public async Task Pin_event_refuses_anything_but_four_to_eight_digits_without_echoing_it(string? body)
    {
        string id = await Server.StartAsync("PinWaiter");

        using HttpResponseMessage response = await Server.PostJsonAsync($"instances/{id}/raiseEvent/Pin", body);

        JsonElement problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.DoesNotContain("123", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("123", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(await HistoryAsync(id, string.Empty), e => e.GetProperty("EventType").GetString() == "EventRaised");
        using HttpResponseMessage status = await Server.GetAsync($"instances/{id}");
        Assert.Equal(HttpStatusCode.Accepted, status.StatusCode);
    }

    [Theory]
    [InlineData("Pin")]
    [InlineData("pin")]
    public async Task Pin_event_delivers_a_sealed_pin_and_the_pin_never_appears(string eventName)
    {
        const string Pin = "80461375";
        string id = await Server.StartAsync("PinWaiter");

        using (HttpResponseMessage response = await Server.PostJsonAsync($"instances/{id}/raiseEvent/{eventName}", $"{{\"pin\":\"{Pin}\"}}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        // The orchestration got the PIN that was sent: its activity opened the seal.
        JsonElement completed = await Server.WaitForStatusAsync(id, "Completed");
        Assert.Equal(CheckPinActivity.PinHash(Pin), completed.GetProperty("output").GetString());

        // What was stored is the seal, never the PIN.
        OrchestrationMetadata? stored = await Server.Client.GetInstanceAsync(id, getInputsAndOutputs: true, getHistory: true);
        OrchestrationHistoryEvent raised = Assert.Single(stored!.History!, e => e.EventType == "EventRaised");
        Assert.Contains(TestSensitiveDataProtector.Prefix, raised.SerializedPayload, StringComparison.Ordinal);
        Assert.All(stored.History!, e => Assert.DoesNotContain(Pin, e.SerializedPayload ?? string.Empty, StringComparison.Ordinal));

        // And what the API shows is not even the seal.
        using HttpResponseMessage status = await Server.GetAsync($"instances/{id}?showHistory=true&showHistoryOutput=true");
        string text = await status.Content.ReadAsStringAsync();
        Assert.DoesNotContain(Pin, text, StringComparison.Ordinal);
        Assert.DoesNotContain(TestSensitiveDataProtector.Prefix, text, StringComparison.Ordinal);
        using JsonDocument body = JsonDocument.Parse(text);
        JsonElement shown = Assert.Single(body.RootElement.GetProperty("historyEvents").EnumerateArray(), e => e.GetProperty("EventType").GetString() == "EventRaised");
        Assert.Equal("[redacted]", shown.GetProperty("Input").GetString());
    }

    [Fact]
    public async Task Pin_event_answers_404_for_unknown_and_410_for_finished_instances()
    {
        using (HttpResponseMessage unknown = await Server.PostJsonAsync($"instances/{Guid.NewGuid():N}/raiseEvent/Pin", "{\"pin\":\"2468\"}"))
        {
            await AssertProblemAsync(unknown, HttpStatusCode.NotFound);
        }

        string id = await Server.StartAsync("PinWaiter");
        using (HttpResponseMessage first = await Server.PostJsonAsync($"instances/{id}/raiseEvent/Pin", "{\"pin\":\"2468\"}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        }

        await Server.WaitForStatusAsync(id, "Completed");
        using HttpResponseMessage gone = await Server.PostJsonAsync($"instances/{id}/raiseEvent/Pin", "{\"pin\":\"2468\"}");
        await AssertProblemAsync(gone, HttpStatusCode.Gone);
    }

    // ---- terminate -----------------------------------------------------------------------------------------

    [Fact]
    public async Task Terminate_is_202_then_the_reason_is_the_output_and_repeats_are_410()
    {
        string id = await Server.StartAsync("Echo", "\"x\"");

        using (HttpResponseMessage response = await Server.Http.PostAsync(Api($"instances/{id}/terminate?reason=enough%20now"), content: null))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        }

        JsonElement terminated = await Server.WaitForStatusAsync(id, "Terminated");
        Assert.Equal("enough now", terminated.GetProperty("output").GetString());
        JsonElement[] history = await HistoryAsync(id, "&showHistoryOutput=true");
        Assert.Equal("enough now", Assert.Single(history, e => e.GetProperty("EventType").GetString() == "ExecutionTerminated").GetProperty("Input").GetString());

        using (HttpResponseMessage again = await Server.Http.PostAsync(Api($"instances/{id}/terminate"), content: null))
        {
            await AssertProblemAsync(again, HttpStatusCode.Gone);
        }

        using HttpResponseMessage unknown = await Server.Http.PostAsync(Api($"instances/{Guid.NewGuid():N}/terminate?reason=x"), content: null);
        await AssertProblemAsync(unknown, HttpStatusCode.NotFound);
    }

    // ---- purge ---------------------------------------------------------------------------------------------

    [Fact]
    public async Task Purge_refuses_running_instances_deletes_finished_ones_and_then_answers_404()
    {
        using HttpResponseMessage started = await Server.PostJsonAsync("orchestrators/Echo?code=key", "\"x\"");
        using JsonDocument payload = await ReadJsonAsync(started);
        string id = payload.RootElement.GetProperty("id").GetString()!;
        string purgeUri = payload.RootElement.GetProperty("purgeHistoryDeleteUri").GetString()!;

        using (HttpResponseMessage running = await Server.Http.DeleteAsync(purgeUri))
        {
            await AssertProblemAsync(running, HttpStatusCode.Conflict);
        }

        using (HttpResponseMessage stillThere = await Server.GetAsync($"instances/{id}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, stillThere.StatusCode);
        }

        using (HttpResponseMessage terminate = await Server.Http.PostAsync(Api($"instances/{id}/terminate"), content: null))
        {
            Assert.Equal(HttpStatusCode.Accepted, terminate.StatusCode);
        }

        await Server.WaitForStatusAsync(id, "Terminated");
        using (HttpResponseMessage purged = await Server.Http.DeleteAsync(purgeUri))
        {
            Assert.Equal(HttpStatusCode.OK, purged.StatusCode);
            Assert.Equal("{\"instancesDeleted\":1}", await purged.Content.ReadAsStringAsync());
        }

        using (HttpResponseMessage gone = await Server.GetAsync($"instances/{id}"))
        {
            await AssertProblemAsync(gone, HttpStatusCode.NotFound);
        }

        using HttpResponseMessage again = await Server.Http.DeleteAsync(purgeUri);
        await AssertProblemAsync(again, HttpStatusCode.NotFound);
    }

    // ---- OpenAPI -------------------------------------------------------------------------------------------

    [Fact]
    public async Task OpenApi_document_describes_every_management_endpoint()
    {
        using HttpResponseMessage response = await Server.Http.GetAsync("openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using JsonDocument document = await ReadJsonAsync(response);
        JsonElement paths = document.RootElement.GetProperty("paths");
        const string Prefix = "/runtime/webhooks/durabletask/";
        Assert.True(paths.TryGetProperty(Prefix + "orchestrators/{functionName}/{instanceId}", out JsonElement start), "start is missing");
        Assert.True(start.TryGetProperty("post", out _));
        Assert.True(paths.GetProperty(Prefix + "instances/{instanceId}").TryGetProperty("get", out _));
        Assert.True(paths.GetProperty(Prefix + "instances/{instanceId}").TryGetProperty("delete", out _));
        Assert.True(paths.GetProperty(Prefix + "instances").TryGetProperty("get", out _));
        Assert.True(paths.GetProperty(Prefix + "instances/{instanceId}/raiseEvent/{eventName}").TryGetProperty("post", out _));
        Assert.True(paths.GetProperty(Prefix + "instances/{instanceId}/terminate").TryGetProperty("post", out _));
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    internal static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument body = await ReadJsonAsync(response);
        JsonElement problem = body.RootElement.Clone();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        return problem;
    }

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    private async Task<JsonElement[]> HistoryAsync(string instanceId, string extraQuery)
    {
        using HttpResponseMessage response = await Server.GetAsync($"instances/{instanceId}?showHistory=true{extraQuery}");
        using JsonDocument body = await ReadJsonAsync(response);
        return body.RootElement.GetProperty("historyEvents").EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")]
    private static partial Regex InstanceTime();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$")]
    private static partial Regex HistoryTime();
}
