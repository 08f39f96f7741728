using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Workflow.Secrets;

namespace Workflow.Vehicles.Api;

/// <summary>
/// Typed <see cref="HttpClient"/> for the vehicle API gateway: <c>POST /v1/pims/get</c> or <c>/v1/pims/set</c> (the
/// SDK's verb, <see cref="VehicleApiCatalogue.VerbOf"/>) with the SDK envelope, authenticated with a
/// client-credentials token from <c>POST /v1/token</c>.
/// </summary>
/// <remarks>
/// <para>
/// The HTTP pipeline (see <c>AddVehicleWorkflow</c>) already retries 5xx, 408, 429, timeouts and
/// connection errors a few times with short delays; whatever is still failing after that surfaces as
/// <see cref="VehicleApiTransientException"/>, so the caller can retry later. Those quick retries resend
/// POSTs, which is safe because every vehicle request carries an <c>Idempotency-Key</c>. A FAILED answer with a
/// transient code (2201, 2202, 2204, 2314, 2377: <see cref="VehicleApiCodes.IsTransient"/>) surfaces the same way.
/// </para>
/// <para>
/// A 401 from the API, or a FAILED answer 2301 "Need Basic Authentication", means the cached token was revoked or
/// expired early: the client fetches a new token once and repeats the request (the caller never sees it). Other
/// refusals surface as <see cref="VehicleApiException"/>.
/// Logs carry the API, the VIN, the status, the error code and the transaction id only.
/// </para>
/// </remarks>
public sealed class VehicleApiClient
{
    /// <summary>Path of the token endpoint, relative to the gateway base address.</summary>
    public const string TokenPath = "v1/token";

    /// <summary>Path of the pims message endpoint of <c>pims.get</c>, relative to the gateway base address.</summary>
    public const string PimsPath = "v1/pims/get";

    /// <summary>Path of the pims message endpoint of <c>pims.set</c>, relative to the gateway base address.</summary>
    public const string PimsSetPath = "v1/pims/set";

    /// <summary>The header that makes a repeated request replay the first answer instead of acting again.</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly JsonElement EmptyObject = JsonSerializer.SerializeToElement(new Dictionary<string, string>());
    private static readonly TimeSpan UnknownTokenLifetime = TimeSpan.FromMinutes(1);

    private readonly HttpClient _http;
    private readonly VehicleApiTokenCache _tokens;
    private readonly IVehicleApiCredentialsSource _credentials;
    private readonly ILogger<VehicleApiClient> _logger;

    /// <summary>Created by the HTTP client factory.</summary>
    public VehicleApiClient(HttpClient http, VehicleApiTokenCache tokens, IVehicleApiCredentialsSource credentials, ILogger<VehicleApiClient> logger)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(logger);
        _http = http;
        _tokens = tokens;
        _credentials = credentials;
        _logger = logger;
    }

    /// <summary>Sends one pims call and returns the SDK message, SUCCEEDED or FAILED.</summary>
    /// <param name="request">The call.</param>
    /// <param name="idempotencyKey">Stable key of this logical call (same value on every retry of it), or <c>null</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="VehicleApiTransientException">The gateway stayed unreachable or kept answering 5xx/408/429.</exception>
    /// <exception cref="VehicleApiException">The gateway refused the request at the HTTP level, or its answer was unreadable.</exception>
    public async Task<VehicleApiMessage> SendAsync(VehicleApiRequest request, string? idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        string token = await _tokens.GetAsync(rejected: null, FetchTokenAsync, cancellationToken).ConfigureAwait(false);
        HttpResponseMessage response = await PostPimsAsync(request, idempotencyKey, token, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            response.Dispose();
            VehicleApiLog.TokenRejected(_logger);
            token = await _tokens.GetAsync(rejected: token, FetchTokenAsync, cancellationToken).ConfigureAwait(false);
            response = await PostPimsAsync(request, idempotencyKey, token, cancellationToken).ConfigureAwait(false);
        }

        VehicleApiMessage message;
        using (response)
        {
            message = await ReadMessageAsync(request, response, cancellationToken).ConfigureAwait(false);
        }

        if (message.FailedWith(VehicleApiCodes.NeedBasicAuthentication))
        {
            // The gateway's token expired (2301): renew it and repeat once; a second 2301 is the caller's to handle.
            VehicleApiLog.BasicAuthenticationNeeded(_logger, request.Api, request.Vin);
            token = await _tokens.GetAsync(rejected: token, FetchTokenAsync, cancellationToken).ConfigureAwait(false);
            using HttpResponseMessage repeated = await PostPimsAsync(request, idempotencyKey, token, cancellationToken).ConfigureAwait(false);
            message = await ReadMessageAsync(request, repeated, cancellationToken).ConfigureAwait(false);
        }

        if (!message.IsSucceeded && message.Error is { Code: var code, Label: var label } && VehicleApiCodes.IsTransient(code))
        {
            throw new VehicleApiTransientException(
                string.Create(CultureInfo.InvariantCulture, $"The vehicle API answered {request.Api} with {code} \"{label}\" (transaction {message.TransactionId})."),
                statusCode: (int)HttpStatusCode.OK)
            {
                ErrorCode = code,
            };
        }

        return message;
    }

    private async Task<HttpResponseMessage> PostPimsAsync(VehicleApiRequest request, string? idempotencyKey, string token, CancellationToken cancellationToken)
    {
        var envelope = new PimsEnvelope(request.Vin, request.Api, request.Parameters ?? EmptyObject, request.Otp);
        string path = VehicleApiCatalogue.VerbOf(request.Api) == VehicleApiVerb.Set ? PimsSetPath : PimsPath;
        using var message = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(envelope, options: Json) };
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (idempotencyKey is not null)
        {
            message.Headers.Add(IdempotencyKeyHeader, idempotencyKey);
        }

        return await SendCoreAsync(message, request.Api, request.Vin, cancellationToken).ConfigureAwait(false);
    }

    private async Task<VehicleApiMessage> ReadMessageAsync(VehicleApiRequest request, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        int status = (int)response.StatusCode;
        if (!response.IsSuccessStatusCode)
        {
            VehicleApiLog.HttpFailure(_logger, request.Api, request.Vin, status);
            if (IsTransient(status))
            {
                throw new VehicleApiTransientException($"The vehicle API answered {request.Api} with HTTP {status} ({response.StatusCode}).", status);
            }

            throw status == (int)HttpStatusCode.Unauthorized
                ? new VehicleApiException($"The vehicle API refused a freshly issued access token for {request.Api} (HTTP 401); check the client registration at the gateway.", status)
                : new VehicleApiException($"The vehicle API refused {request.Api}: HTTP {status} ({response.StatusCode}).", status);
        }

        VehicleApiMessage? message;
        try
        {
            message = await response.Content.ReadFromJsonAsync<VehicleApiMessage>(Json, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            // The exception names the position of the problem, never the content, so it may be kept as the cause.
            throw Unreadable(request.Api, ex);
        }

        bool valid = message is { Status: VehicleApiCodes.Succeeded } or { Status: VehicleApiCodes.Failed, Error: not null };
        if (!valid)
        {
            throw Unreadable(request.Api, innerException: null);
        }

        if (message!.IsSucceeded)
        {
            VehicleApiLog.Succeeded(_logger, request.Api, request.Vin, message.Status, message.TransactionId);
        }
        else
        {
            VehicleApiLog.Failed(_logger, request.Api, request.Vin, message.Status, message.Error?.Code, message.TransactionId);
        }

        return message;
    }

    private async Task<(string Token, TimeSpan Lifetime)> FetchTokenAsync(CancellationToken cancellationToken)
    {
        VehicleApiCredentials credentials = await _credentials.GetAsync(cancellationToken).ConfigureAwait(false);
        using var message = new HttpRequestMessage(HttpMethod.Post, TokenPath)
        {
            Content = new FormUrlEncodedContent(
            [
                new("grant_type", "client_credentials"),
                new("client_id", credentials.ClientId),
                new("client_secret", credentials.ClientSecret),
            ]),
        };
        using HttpResponseMessage response = await SendCoreAsync(message, "token", vin: "-", cancellationToken).ConfigureAwait(false);
        int status = (int)response.StatusCode;
        if (!response.IsSuccessStatusCode)
        {
            VehicleApiLog.TokenHttpFailure(_logger, status);
            if (IsTransient(status))
            {
                throw new VehicleApiTransientException($"The vehicle API token endpoint answered HTTP {status} ({response.StatusCode}).", status);
            }

            throw new VehicleApiException(
                $"The vehicle API token endpoint refused the client credentials: HTTP {status} ({response.StatusCode}). Check the secrets '{SecretNames.VehicleApiClientId}' and '{SecretNames.VehicleApiClientSecret}'.",
                status);
        }

        TokenResponse? token;
        try
        {
            token = await response.Content.ReadFromJsonAsync<TokenResponse>(Json, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            throw Unreadable("token", ex);
        }

        if (string.IsNullOrEmpty(token?.AccessToken))
        {
            throw Unreadable("token", innerException: null);
        }

        TimeSpan lifetime = token.ExpiresIn is int seconds and > 0 ? TimeSpan.FromSeconds(seconds) : UnknownTokenLifetime;
        VehicleApiLog.TokenObtained(_logger, lifetime);
        return (token.AccessToken, lifetime);
    }

    private async Task<HttpResponseMessage> SendCoreAsync(HttpRequestMessage message, string api, string vin, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or BrokenCircuitException or OperationCanceledException)
        {
            // A cancellation nobody asked for is a timeout. None of these messages quote the request.
            VehicleApiLog.Unreachable(_logger, api, vin, ex.GetType().Name);
            throw new VehicleApiTransientException($"The vehicle API could not be reached for {api}: {ex.Message}", statusCode: 0, ex);
        }
    }

    private static bool IsTransient(int status) => status >= 500 || status is 408 or 429;

    private static VehicleApiException Unreadable(string api, Exception? innerException) =>
        new($"The vehicle API answered {api} with a body that is not the expected JSON message.", (int)HttpStatusCode.BadGateway, innerException);
}
