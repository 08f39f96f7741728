using System.Net;
using System.Text;
using System.Text.Json;
using Workflow.Testing;

namespace Workflow.LocalHost.Tests.Support;

/// <summary>
/// The product API as a client uses it, over real HTTP: <c>POST /api/commands</c>, <c>GET /api/commands/{id}</c> and
/// <c>POST &lt;pinPostUri&gt;</c>, with the function key in <c>x-functions-key</c>. The links the API returns are relative;
/// they are resolved against <see cref="BaseAddress"/>.
/// </summary>
internal sealed class CommandsClient : IDisposable
{
    public const string KeyHeader = "x-functions-key";

    /// <summary>The deadline of one step of a flow (a stage to show, a command to finish).</summary>
    public static readonly TimeSpan FlowTimeout = TimeSpan.FromSeconds(60);

    private readonly HttpClient _http;

    /// <param name="baseAddress">The local host's address.</param>
    /// <param name="functionKey">Sent in <c>x-functions-key</c> with every request; <see langword="null"/> sends none.</param>
    public CommandsClient(Uri baseAddress, string? functionKey)
    {
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (functionKey is not null)
        {
            _http.DefaultRequestHeaders.Add(KeyHeader, functionKey);
        }
    }

    public Uri BaseAddress => _http.BaseAddress!;

    /// <summary>The underlying client, for requests the typed methods do not cover (its base address and key are set).</summary>
    public HttpClient Http => _http;

    public static string Body(string vin, string api, string? instanceId, string parameters)
        => $$"""{"vin":"{{vin}}","api":"{{api}}","parameters":{{parameters}}{{(instanceId is null ? string.Empty : $",\"instanceId\":\"{instanceId}\"")}}}""";

    public static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    /// <summary>A link from a response, made absolute against the base address.</summary>
    public Uri Resolve(Uri link) => link.IsAbsoluteUri ? link : new Uri(BaseAddress, link);

    public static Uri StatusPath(string id) => new($"api/commands/{Uri.EscapeDataString(id)}", UriKind.Relative);

    public Task<HttpResponseMessage> PostStartAsync(string body) => _http.PostAsync(new Uri("api/commands", UriKind.Relative), Json(body));

    /// <summary>Starts a command and returns what the API answered (asserting 202).</summary>
    public async Task<StartedCommand> StartAsync(string body)
    {
        using HttpResponseMessage response = await PostStartAsync(body);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"Expected 202 from POST /api/commands, got {(int)response.StatusCode}: {text}");
        JsonElement json = JsonDocument.Parse(text).RootElement.Clone();
        return new StartedCommand(
            json.GetProperty("id").GetString()!,
            new Uri(json.GetProperty("statusQueryGetUri").GetString()!, UriKind.RelativeOrAbsolute),
            new Uri(json.GetProperty("pinPostUri").GetString()!, UriKind.RelativeOrAbsolute),
            response.Headers.Location,
            json);
    }

    public Task<CommandStatus> GetStatusAsync(string id) => GetStatusAsync(StatusPath(id));

    public async Task<CommandStatus> GetStatusAsync(Uri statusUri)
    {
        using HttpResponseMessage response = await _http.GetAsync(Resolve(statusUri));
        string text = await response.Content.ReadAsStringAsync();
        return new CommandStatus(response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), response.Headers.Location, response.Content.Headers.ContentType?.MediaType);
    }

    public Task<HttpResponseMessage> PostPinAsync(Uri pinPostUri, string pin) => PostPinBodyAsync(pinPostUri, $$"""{"pin":"{{pin}}"}""");

    public Task<HttpResponseMessage> PostPinBodyAsync(Uri pinPostUri, string body) => _http.PostAsync(Resolve(pinPostUri), Json(body));

    /// <summary>Posts the PIN and asserts that it was delivered (202).</summary>
    /// <returns>The PIN link of the next round (<c>nextPinPostUri</c>), for when this PIN proves wrong.</returns>
    public async Task<Uri> DeliverPinAsync(Uri pinPostUri, string pin)
    {
        using HttpResponseMessage response = await PostPinAsync(pinPostUri, pin);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"Expected 202 from the PIN URI, got {(int)response.StatusCode}: {text}");
        return NextPinUri(text);
    }

    /// <summary>The <c>nextPinPostUri</c> of a 202 answer to a PIN.</summary>
    public static Uri NextPinUri(string acceptedBody)
        => new(JsonDocument.Parse(acceptedBody).RootElement.GetProperty("nextPinPostUri").GetString()!, UriKind.RelativeOrAbsolute);

    /// <summary>Polls until the command's custom status shows <paramref name="stage"/>.</summary>
    public Task<CommandStatus> WaitForStageAsync(Uri statusUri, string stage, TimeSpan? timeout = null)
        => WaitAsync(statusUri, s => s.StatusCode == HttpStatusCode.Accepted && s.Stage == stage, $"stage {stage}", timeout, stillRunning: true);

    /// <summary>Polls until the command has rejected a PIN and awaits the next one.</summary>
    public Task<CommandStatus> WaitForRejectedPinAsync(Uri statusUri, TimeSpan? timeout = null)
        => WaitAsync(
            statusUri,
            s => s.StatusCode == HttpStatusCode.Accepted && s.Stage == "AwaitingPin"
                && s.Body.GetProperty("customStatus").TryGetProperty("lastPinRejected", out JsonElement rejected) && rejected.ValueKind == JsonValueKind.True,
            "a rejected PIN",
            timeout,
            stillRunning: true);

    /// <summary>Polls until the status answers 200 (finished).</summary>
    public Task<CommandStatus> WaitForFinishedAsync(Uri statusUri, TimeSpan? timeout = null)
        => WaitAsync(statusUri, s => s.StatusCode == HttpStatusCode.OK, "the command to finish", timeout);

    public void Dispose() => _http.Dispose();

    private async Task<CommandStatus> WaitAsync(Uri statusUri, Func<CommandStatus, bool> done, string what, TimeSpan? timeout, bool stillRunning = false)
    {
        CommandStatus? last = null;
        try
        {
            return await Eventually.GetAsync(
                async () =>
                {
                    CommandStatus status = await GetStatusAsync(statusUri);
                    last = status;
                    Assert.True(status.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted, $"The status query answered {(int)status.StatusCode}: {status.Body}");

                    // A finished command never reaches a stage again: fail now rather than at the deadline.
                    Assert.False(stillRunning && status.StatusCode == HttpStatusCode.OK, $"The command finished while the test waited for {what}: {status.Body}");
                    return done(status) ? status : null;
                },
                $"{what} at {statusUri}",
                timeout ?? FlowTimeout);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message} Last status: {last?.Body}", ex);
        }
    }
}

/// <summary>The answer to a start, links as the API returned them (relative).</summary>
internal sealed record StartedCommand(string Id, Uri StatusQueryGetUri, Uri PinPostUri, Uri? Location, JsonElement Body);

/// <summary>The answer to a status query.</summary>
internal sealed record CommandStatus(HttpStatusCode StatusCode, JsonElement Body, Uri? Location, string? MediaType)
{
    public string? RuntimeStatus => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("runtimeStatus", out JsonElement s) ? s.GetString() : null;

    public string? Stage => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("customStatus", out JsonElement c) && c.ValueKind == JsonValueKind.Object
        && c.TryGetProperty("stage", out JsonElement s) ? s.GetString() : null;

    public JsonElement CustomStatus => Body.GetProperty("customStatus");

    public JsonElement Output => Body.GetProperty("output");

    public string? Outcome => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("output", out JsonElement o) && o.ValueKind == JsonValueKind.Object
        && o.TryGetProperty("outcome", out JsonElement s) ? s.GetString() : null;
}
