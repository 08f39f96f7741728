using System.Globalization;
using System.Net;
using System.Text.Json;
using static Workflow.Functions.Tests.Management.ManagementApiTests;
using static Workflow.Functions.Tests.Management.ManagementTestServer;

namespace Workflow.Functions.Tests.Management;

/// <summary>
/// List/query on a task hub of its own (one fixture per class), so counts are exact: three running and two
/// completed instances, all started before the tests run.
/// </summary>
public sealed class ManagementListTests(ManagementListTests.Fixture fixture) : IClassFixture<ManagementListTests.Fixture>
{
    private const string ContinuationHeader = "x-ms-continuation-token";

    private ManagementTestServer Server => fixture.Server;

    [Fact]
    public async Task List_returns_a_json_array_of_instances_in_the_Durable_Functions_shape()
    {
        using HttpResponseMessage response = await Server.GetAsync($"instances?instanceIdPrefix={fixture.Prefix}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument body = await ReadJsonAsync(response);
        Assert.Equal(JsonValueKind.Array, body.RootElement.ValueKind);
        JsonElement[] items = [.. body.RootElement.EnumerateArray()];
        Assert.Equal(fixture.AllIds.Order(), items.Select(i => i.GetProperty("instanceId").GetString()).Order());
        foreach (JsonElement item in items)
        {
            Assert.Equal(
                ["name", "instanceId", "runtimeStatus", "input", "customStatus", "output", "createdTime", "lastUpdatedTime"],
                item.EnumerateObject().Select(p => p.Name).ToArray());
            Assert.Equal("Echo", item.GetProperty("name").GetString());
            Assert.StartsWith("in-", item.GetProperty("input").GetString(), StringComparison.Ordinal);
        }

        JsonElement done = items.First(i => i.GetProperty("instanceId").GetString() == fixture.CompletedIds[0]);
        Assert.Equal("Completed", done.GetProperty("runtimeStatus").GetString());
        Assert.EndsWith(":go", done.GetProperty("output").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_filters_by_runtime_status_including_comma_separated_lists_and_statuses_this_runtime_never_has()
    {
        Assert.Equal(fixture.CompletedIds.Order(), await IdsAsync($"instances?instanceIdPrefix={fixture.Prefix}&runtimeStatus=Completed"));
        Assert.Equal(fixture.RunningIds.Order(), await IdsAsync($"instances?instanceIdPrefix={fixture.Prefix}&runtimeStatus=running"));
        Assert.Equal(fixture.AllIds.Order(), await IdsAsync($"instances?instanceIdPrefix={fixture.Prefix}&runtimeStatus=Running,Completed"));
        Assert.Empty(await IdsAsync($"instances?instanceIdPrefix={fixture.Prefix}&runtimeStatus=Suspended,Canceled"));
        Assert.Empty(await IdsAsync($"instances?instanceIdPrefix={fixture.Prefix}&runtimeStatus=Failed"));
    }

    [Fact]
    public async Task List_filters_by_creation_time_and_instance_id_prefix()
    {
        string from = Iso(fixture.StartedAfter), to = Iso(fixture.StartedBefore);
        Assert.Equal(fixture.AllIds.Order(), await IdsAsync($"instances?createdTimeFrom={from}&createdTimeTo={to}"));
        Assert.Empty(await IdsAsync($"instances?createdTimeFrom={Iso(fixture.StartedBefore.AddHours(1))}"));
        Assert.Empty(await IdsAsync($"instances?createdTimeTo={Iso(fixture.StartedAfter.AddHours(-1))}"));
        Assert.Equal(fixture.CompletedIds.Order(), await IdsAsync($"instances?instanceIdPrefix={fixture.Prefix}-done"));
        Assert.Empty(await IdsAsync("instances?instanceIdPrefix=nobody-"));
    }

    [Fact]
    public async Task List_pages_with_top_and_the_continuation_token_header_until_every_instance_was_seen_once()
    {
        var seen = new List<string>();
        string? token = null;
        int pages = 0;
        do
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Api($"instances?instanceIdPrefix={fixture.Prefix}&top=2"));
            if (token is not null)
            {
                request.Headers.Add(ContinuationHeader, token);
            }

            using HttpResponseMessage response = await Server.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using JsonDocument body = await ReadJsonAsync(response);
            string[] page = [.. body.RootElement.EnumerateArray().Select(i => i.GetProperty("instanceId").GetString()!)];
            Assert.InRange(page.Length, 0, 2);
            seen.AddRange(page);
            token = response.Headers.TryGetValues(ContinuationHeader, out IEnumerable<string>? values) ? values.Single() : null;
            pages++;
            Assert.True(pages <= 20, "The continuation tokens never ran out.");
        }
        while (token is not null);

        Assert.True(pages >= 3, $"Five instances in pages of two took only {pages} page(s).");
        Assert.Equal(fixture.AllIds.Order(), seen.Order());
    }

    [Fact]
    public async Task List_hides_inputs_on_request_and_accepts_a_trailing_slash()
    {
        using HttpResponseMessage response = await Server.GetAsync($"instances/?instanceIdPrefix={fixture.Prefix}&showInput=false");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using JsonDocument body = await ReadJsonAsync(response);
        Assert.Equal(5, body.RootElement.GetArrayLength());
        Assert.All(body.RootElement.EnumerateArray(), i => Assert.Equal(JsonValueKind.Null, i.GetProperty("input").ValueKind));
    }

    [Theory]
    [InlineData("runtimeStatus=Bogus")]
    [InlineData("runtimeStatus=1")]
    [InlineData("top=0")]
    [InlineData("top=many")]
    [InlineData("createdTimeFrom=yesterday")]
    [InlineData("createdTimeTo=2024-13-45")]
    [InlineData("showInput=maybe")]
    public async Task List_refuses_invalid_query_parameters(string query)
    {
        using HttpResponseMessage response = await Server.GetAsync($"instances?{query}");

        JsonElement problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(query.Split('=')[0], problem.GetProperty("title").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("bm9wZQ")] // valid base64url of "nope": not a token this API issued
    public async Task List_refuses_continuation_tokens_it_did_not_issue(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Api("instances"));
        request.Headers.TryAddWithoutValidation(ContinuationHeader, token);

        using HttpResponseMessage response = await Server.Http.SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    private static string Iso(DateTimeOffset time) => Uri.EscapeDataString(time.UtcDateTime.ToString("o", CultureInfo.InvariantCulture));

    /// <summary>Ids of every instance the query finds, following continuation tokens.</summary>
    private async Task<IEnumerable<string>> IdsAsync(string relative)
    {
        var ids = new List<string>();
        string? token = null;
        do
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Api(relative));
            if (token is not null)
            {
                request.Headers.Add(ContinuationHeader, token);
            }

            using HttpResponseMessage response = await Server.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using JsonDocument body = await ReadJsonAsync(response);
            ids.AddRange(body.RootElement.EnumerateArray().Select(i => i.GetProperty("instanceId").GetString()!));
            token = response.Headers.TryGetValues(ContinuationHeader, out IEnumerable<string>? values) ? values.Single() : null;
        }
        while (token is not null);

        return ids.Order();
    }

    /// <summary>Its own server and task hub, with five instances: three running, two completed.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        private ManagementTestServer? _server;

        internal ManagementTestServer Server => _server ?? throw new InvalidOperationException("The server has not started.");

        public string Prefix { get; } = "list" + Guid.NewGuid().ToString("N")[..8];

        public List<string> RunningIds { get; } = [];

        public List<string> CompletedIds { get; } = [];

        public IEnumerable<string> AllIds => RunningIds.Concat(CompletedIds);

        public DateTimeOffset StartedAfter { get; private set; }

        public DateTimeOffset StartedBefore { get; private set; }

        public async Task InitializeAsync()
        {
            _server = await ManagementTestServer.StartAsync();

            // Whole seconds either side: instance times are shown to the second, and clocks of app and storage agree here.
            StartedAfter = DateTimeOffset.UtcNow.AddSeconds(-2);
            for (int i = 0; i < 3; i++)
            {
                RunningIds.Add(await _server.StartAsync("Echo", $"\"in-{i}\"", $"{Prefix}-run-{i}"));
            }

            for (int i = 0; i < 2; i++)
            {
                string id = await _server.StartAsync("Echo", $"\"in-done-{i}\"", $"{Prefix}-done-{i}");
                using HttpResponseMessage go = await _server.PostJsonAsync($"instances/{id}/raiseEvent/Go", "\"go\"");
                Assert.Equal(HttpStatusCode.Accepted, go.StatusCode);
                CompletedIds.Add(id);
            }

            foreach (string id in CompletedIds)
            {
                await _server.WaitForStatusAsync(id, "Completed");
            }

            StartedBefore = DateTimeOffset.UtcNow.AddSeconds(2);
        }

        public async Task DisposeAsync()
        {
            if (_server is not null)
            {
                await _server.DisposeAsync();
            }
        }
    }
}
