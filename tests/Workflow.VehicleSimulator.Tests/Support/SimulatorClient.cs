using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace Workflow.VehicleSimulator.Tests.Support;

/// <summary>
/// Talks to the simulator over HTTP exactly as the wire contract says, with raw JSON rather than the
/// simulator's own types, so a renamed property fails a test instead of passing silently.
/// </summary>
public sealed class SimulatorClient(Uri baseAddress) : IDisposable
{
    public const string ClientId = "local-dev-client";
    public const string ClientSecret = "local-dev-secret";
    public const string DefaultPin = "123456";
    public const string OtpApi = "pims.authentication.otp";
    public const string CommandApi = "pims.vehicle.command";
    public const string InformationsApi = "pims.vehicle.informations";

    /// <summary>Parameters of <see cref="CommandApi"/> that lock the doors.</summary>
    public static readonly object Lock = new { action = "doors", doorState = "lock" };

    /// <summary>Parameters of <see cref="CommandApi"/> that unlock the doors.</summary>
    public static readonly object Unlock = new { action = "doors", doorState = "unlock" };

    /// <summary>Parameters of <see cref="CommandApi"/> that sound the horn.</summary>
    public static readonly object Horn = new { action = "horn" };

    /// <summary>Parameters of <see cref="InformationsApi"/>: the server copy.</summary>
    public static readonly object Read = new { actionType = "remote", action = "get" };

    private string? _token;

    public HttpClient Http { get; } = new() { BaseAddress = baseAddress };

    public void Dispose() => Http.Dispose();

    public Task<HttpResponseMessage> RequestTokenAsync(string grantType = "client_credentials", string clientId = ClientId, string clientSecret = ClientSecret) =>
        Http.PostAsync(
            new Uri("/v1/token", UriKind.Relative),
            new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = grantType,
                ["client_id"] = clientId,
                ["client_secret"] = clientSecret,
            }));

    /// <summary>A new access token; the clock must not have moved past the lifetime of the previous one for cached use.</summary>
    public async Task<string> NewTokenAsync()
    {
        using var response = await RequestTokenAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("access_token").GetString()!;
    }

    /// <summary>The SDK verb of an API, as the product's client picks it: <c>set</c> for remote commands, <c>get</c> otherwise.</summary>
    public static string VerbOf(string api) => api == CommandApi ? "set" : "get";

    public async Task<HttpResponseMessage> PostPimsAsync(object body, string? token, string? idempotencyKey = null, string verb = "get")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/pims/" + verb, UriKind.Relative))
        {
            Content = JsonContent.Create(body),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await Http.SendAsync(request);
    }

    /// <summary>A pims call with a cached token; asserts HTTP 200, since business outcomes are always 200.</summary>
    public async Task<PimsAnswer> CallAsync(string vin, string api, object? parameters = null, string? otp = null, string? idempotencyKey = null, string? verb = null)
    {
        _token ??= await NewTokenAsync();
        using var response = await PostPimsAsync(new { vin, api, parameters = parameters ?? new { }, otp }, _token, idempotencyKey, verb ?? VerbOf(api));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"HTTP {(int)response.StatusCode}: {text}");
        return PimsAnswer.Parse(text);
    }

    public Task<PimsAnswer> RequestOtpAsync(string vin, string pin, bool resetStep = false, string? idempotencyKey = null) =>
        CallAsync(
            vin,
            OtpApi,
            resetStep ? new { action = "withPIN", pinCode = pin, resetStep = true } : new { action = "withPIN", pinCode = pin },
            idempotencyKey: idempotencyKey);

    /// <summary>An OTP for the VIN, asserting the request succeeded.</summary>
    public async Task<string> GetOtpAsync(string vin, string pin = DefaultPin)
    {
        var answer = await RequestOtpAsync(vin, pin);
        Assert.Equal("SUCCEEDED", answer.Status);
        return answer.Result.GetProperty("otp").GetString()!;
    }

    public Task SetPinAsync(string vin, string pin) =>
        ExpectNoContentAsync(Http.PutAsJsonAsync(new Uri($"/_sim/vehicles/{vin}/pin", UriKind.Relative), new { pin }));

    /// <summary>Door lock with the cached token.</summary>
    public Task<PimsAnswer> LockAsync(string vin, string? otp = null, string? idempotencyKey = null) => CallAsync(vin, CommandApi, Lock, otp, idempotencyKey);

    /// <summary>Reads the vehicle (no strong authentication by default).</summary>
    public Task<PimsAnswer> ReadAsync(string vin, string? idempotencyKey = null) => CallAsync(vin, InformationsApi, Read, idempotencyKey: idempotencyKey);

    /// <summary>PUT /_sim/vehicles/{vin}/state with the given fields; returns the state after.</summary>
    public async Task<JsonElement> SetStateAsync(string vin, object state)
    {
        using var response = await Http.PutAsJsonAsync(new Uri($"/_sim/vehicles/{vin}/state", UriKind.Relative), state);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"HTTP {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public Task<JsonElement> GetStateAsync(string vin) => GetJsonAsync($"/_sim/vehicles/{vin}/state");

    public Task UnblockAsync(string vin) =>
        ExpectNoContentAsync(Http.PostAsync(new Uri($"/_sim/vehicles/{vin}/unblock", UriKind.Relative), content: null));

    public Task ExpireTokensAsync() =>
        ExpectNoContentAsync(Http.PostAsync(new Uri("/_sim/tokens/expire", UriKind.Relative), content: null));

    public Task QueueErrorsAsync(string vin, string api, params int[] codes) =>
        ExpectNoContentAsync(Http.PostAsJsonAsync(new Uri($"/_sim/vehicles/{vin}/next-errors", UriKind.Relative), new { api, codes }));

    public Task AddFaultAsync(object fault) =>
        ExpectNoContentAsync(Http.PostAsJsonAsync(new Uri("/_sim/faults", UriKind.Relative), fault));

    public Task ResetAsync() =>
        ExpectNoContentAsync(Http.PostAsync(new Uri("/_sim/reset", UriKind.Relative), content: null));

    public Task<JsonElement> GetOtpsAsync(string? vin = null) => GetJsonAsync("/_sim/otps" + VinQuery(vin));

    public Task<JsonElement> GetRequestsAsync(string? vin = null) => GetJsonAsync("/_sim/requests" + VinQuery(vin));

    public Task<string> GetRequestsTextAsync(string? vin = null) => Http.GetStringAsync(new Uri("/_sim/requests" + VinQuery(vin), UriKind.Relative));

    public Task<JsonElement> GetFaultsAsync() => GetJsonAsync("/_sim/faults");

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        var text = await Http.GetStringAsync(new Uri(path, UriKind.Relative));
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static string VinQuery(string? vin) => vin is null ? string.Empty : "?vin=" + Uri.EscapeDataString(vin);

    private static async Task ExpectNoContentAsync(Task<HttpResponseMessage> send)
    {
        using var response = await send;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.NoContent, $"HTTP {(int)response.StatusCode}: {text}");
    }
}
