using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Workflow.Testing;

namespace Workflow.Functions.Tests.Support;

/// <summary>
/// The product API over HTTP, as a client sees it: <c>POST /api/commands</c>, the status link, the PIN link. Links may be
/// relative (no <c>Commands:PublicBaseUrl</c> is set); they are resolved against the host's address.
/// </summary>
internal sealed class CommandsClient(HttpClient http, Func<string>? hostOutput = null) : IDisposable
{
    /// <summary>Longest a test waits for a command to reach a stage or finish, unless it says otherwise.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public HttpClient Http => http;

    /// <summary>Starts a command and checks the 202 answer's shape.</summary>
    public async Task<StartedCommand> StartAsync(string vin, string api, object? parameters = null, string? instanceId = null)
    {
        using HttpResponseMessage response = await PostStartAsync(vin, api, parameters, instanceId).ConfigureAwait(false);
        string body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST /api/commands answered {(int)response.StatusCode}: {body}\nHost output:\n{hostOutput?.Invoke()}");
        using JsonDocument document = JsonDocument.Parse(body);
        JsonElement root = document.RootElement;
        string id = root.GetProperty("id").GetString()!;
        var status = new Uri(root.GetProperty("statusQueryGetUri").GetString()!, UriKind.RelativeOrAbsolute);
        var pin = new Uri(root.GetProperty("pinPostUri").GetString()!, UriKind.RelativeOrAbsolute);
        Assert.Equal(status, response.Headers.Location);
        return new StartedCommand(id, Resolve(status), Resolve(pin));
    }

    /// <summary><c>POST /api/commands</c> as it is, for tests of its answers.</summary>
    public Task<HttpResponseMessage> PostStartAsync(string vin, string api, object? parameters = null, string? instanceId = null)
        => http.PostAsJsonAsync(new Uri("api/commands", UriKind.Relative), new { vin, api, parameters = parameters ?? new { }, instanceId });

    /// <summary>The command's status: the HTTP status code and the body.</summary>
    public async Task<(HttpStatusCode Code, JsonElement Body)> GetStatusAsync(Uri statusUri)
    {
        using HttpResponseMessage response = await http.GetAsync(statusUri).ConfigureAwait(false);
        string body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        Assert.True(
            response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted,
            $"GET {statusUri} answered {(int)response.StatusCode}: {body}\nHost output:\n{hostOutput?.Invoke()}");
        using JsonDocument document = JsonDocument.Parse(body);
        return (response.StatusCode, document.RootElement.Clone());
    }

    /// <summary>Polls the status until <c>customStatus.stage</c> is <paramref name="stage"/> (and <paramref name="also"/> holds); fails if the command finishes first.</summary>
    public async Task<JsonElement> WaitForStageAsync(StartedCommand command, string stage, Func<JsonElement, bool>? also = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        object reached = await Eventually.GetAsync<object>(
            async () =>
            {
                (HttpStatusCode code, JsonElement status) = await GetStatusAsync(command.StatusUri).ConfigureAwait(false);
                Assert.False(code == HttpStatusCode.OK, $"Command {command.Id} finished while the test waited for stage {stage}: {status}");
                Assert.Equal(HttpStatusCode.Accepted, code);
                return status.TryGetProperty("customStatus", out JsonElement custom)
                    && custom.ValueKind == JsonValueKind.Object
                    && custom.TryGetProperty("stage", out JsonElement s) && s.GetString() == stage
                    && (also is null || also(custom))
                    ? status
                    : null;
            },
            $"command {command.Id} to reach stage {stage}",
            timeout ?? DefaultTimeout).ConfigureAwait(false);
        return (JsonElement)reached;
    }

    /// <summary>Polls the status until it answers 200 (finished) and returns that body.</summary>
    public async Task<JsonElement> WaitForFinishAsync(StartedCommand command, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        object finished = await Eventually.GetAsync<object>(
            async () =>
            {
                (HttpStatusCode code, JsonElement status) = await GetStatusAsync(command.StatusUri).ConfigureAwait(false);
                return code == HttpStatusCode.OK ? status : null;
            },
            $"command {command.Id} to finish",
            timeout ?? DefaultTimeout).ConfigureAwait(false);
        return (JsonElement)finished;
    }

    /// <summary>Posts <c>{"pin": …}</c> to the command's PIN link; returns the HTTP status.</summary>
    public async Task<HttpStatusCode> SubmitPinAsync(StartedCommand command, string pin)
    {
        ArgumentNullException.ThrowIfNull(command);
        using HttpResponseMessage response = await http.PostAsJsonAsync(command.PinUri, new { pin }).ConfigureAwait(false);
        return response.StatusCode;
    }

    /// <summary>Posts the PIN, asserts it was delivered (202) and returns the command with the next round's PIN link.</summary>
    public async Task<StartedCommand> DeliverPinAsync(StartedCommand command, string pin)
    {
        ArgumentNullException.ThrowIfNull(command);
        using HttpResponseMessage response = await http.PostAsJsonAsync(command.PinUri, new { pin }).ConfigureAwait(false);
        string text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"Expected 202 from the PIN link, got {(int)response.StatusCode}: {text}");
        Uri next = new(JsonDocument.Parse(text).RootElement.GetProperty("nextPinPostUri").GetString()!, UriKind.RelativeOrAbsolute);
        return command with { PinUri = Resolve(next) };
    }

    public void Dispose() => http.Dispose();

    private Uri Resolve(Uri link) => link.IsAbsoluteUri ? link : new Uri(http.BaseAddress!, link);
}

/// <summary>A started command: its id and its two links, absolute.</summary>
internal sealed record StartedCommand(string Id, Uri StatusUri, Uri PinUri);
