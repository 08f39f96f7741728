using System.Net;
using System.Text.Json;
using Workflow.Testing;

namespace Workflow.Functions.Tests.Support;

/// <summary>The product API as a client uses it, over real HTTP.</summary>
internal sealed class CommandsApi(TestApp app)
{
    public static readonly TimeSpan FlowTimeout = TimeSpan.FromSeconds(60);

    public HttpClient Http => app.Http;

    public static string Body(string vin, string api = "pims.remote.door.lock", string? instanceId = null, string parameters = "{\"action\":\"lock\"}")
        => $$"""{"vin":"{{vin}}","api":"{{api}}","parameters":{{parameters}}{{(instanceId is null ? string.Empty : $",\"instanceId\":\"{instanceId}\"")}}}""";

    /// <summary>Starts a command and returns the start response body (asserting 202).</summary>
    public async Task<JsonElement> StartAsync(string body)
    {
        using HttpResponseMessage response = await app.Http.PostAsync("api/commands", TestApp.Json(body));
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"Expected 202, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task<(HttpStatusCode Status, JsonElement Body)> GetStatusAsync(string statusUri)
    {
        using HttpResponseMessage response = await app.Http.GetAsync(statusUri);
        string text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>Polls the status URI until the command's custom status shows <paramref name="stage"/>.</summary>
    public Task<JsonElement> WaitForStageAsync(string statusUri, string stage)
        => WaitAsync(statusUri, (status, body) => status == HttpStatusCode.Accepted && IsAtStage(body, stage), $"stage {stage}");

    /// <summary>Polls the status URI until the command rejected a PIN and awaits the next one.</summary>
    public Task<JsonElement> WaitForRejectedPinAsync(string statusUri)
        => WaitAsync(
            statusUri,
            (status, body) => status == HttpStatusCode.Accepted && IsAtStage(body, "AwaitingPin")
                && body.GetProperty("customStatus").TryGetProperty("lastPinRejected", out JsonElement rejected) && rejected.ValueKind == JsonValueKind.True,
            "a rejected PIN");

    /// <summary>Polls the status URI until it answers 200 (finished).</summary>
    public Task<JsonElement> WaitForFinishedAsync(string statusUri)
        => WaitAsync(statusUri, (status, _) => status == HttpStatusCode.OK, "the command to finish");

    private static bool IsAtStage(JsonElement body, string stage)
        => body.TryGetProperty("customStatus", out JsonElement custom) && custom.ValueKind == JsonValueKind.Object
            && custom.TryGetProperty("stage", out JsonElement s) && s.GetString() == stage;

    private async Task<JsonElement> WaitAsync(string statusUri, Func<HttpStatusCode, JsonElement, bool> done, string what)
    {
        JsonElement? last = null;
        try
        {
            object result = await Eventually.GetAsync<object>(
                async () =>
                {
                    (HttpStatusCode status, JsonElement body) = await GetStatusAsync(statusUri);
                    last = body;
                    Assert.True(status is HttpStatusCode.OK or HttpStatusCode.Accepted, $"Status query answered {(int)status}: {body}");
                    return done(status, body) ? body : null;
                },
                $"{what} at {statusUri}",
                FlowTimeout);
            return (JsonElement)result;
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message} Last status: {last}", ex);
        }
    }

    public async Task<HttpResponseMessage> PostPinAsync(string pinUri, string pin)
        => await app.Http.PostAsync(pinUri, TestApp.Json($$"""{"pin":"{{pin}}"}"""));
}
