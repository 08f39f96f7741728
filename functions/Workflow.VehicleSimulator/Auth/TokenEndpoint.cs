using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Workflow.VehicleSimulator.Auth;

/// <summary>
/// <c>POST /v1/token</c>: the OAuth 2.0 client-credentials grant (RFC 6749 §4.4), with the client
/// authenticated by form fields or HTTP Basic (§2.3.1), and errors in the RFC's JSON shape.
/// </summary>
internal static partial class TokenEndpoint
{
    public const string Path = "/v1/token";

    public static async Task<IResult> HandleAsync(HttpContext context, TokenIssuer tokens, ILogger<TokenIssuer> logger)
    {
        // RFC 6749 §5.1: token responses must not be cached, and errors neither.
        context.Response.Headers.CacheControl = "no-store";

        if (!context.Request.HasFormContentType)
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_request", "The body must be application/x-www-form-urlencoded.");
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var grantType = form["grant_type"].ToString();
        if (grantType.Length == 0)
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_request", "grant_type is required.");
        }

        if (grantType != "client_credentials")
        {
            return Error(StatusCodes.Status400BadRequest, "unsupported_grant_type", "Only client_credentials is supported.");
        }

        var usedBasic = TryReadBasic(context.Request, out var clientId, out var clientSecret);
        if (!usedBasic)
        {
            clientId = form["client_id"].ToString();
            clientSecret = form["client_secret"].ToString();
        }

        if (!tokens.AreValidCredentials(clientId, clientSecret))
        {
            if (usedBasic)
            {
                // RFC 6749 §5.2: a client that authenticated with a scheme gets that scheme's challenge.
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"vehicle-simulator\"";
            }

            LogRejected(logger);
            return Error(StatusCodes.Status401Unauthorized, "invalid_client", "Unknown client or wrong secret.");
        }

        var (accessToken, expiresIn) = tokens.Issue();
        LogIssued(logger, (int)expiresIn.TotalSeconds);
        return Results.Json(
            new TokenResponse(accessToken, "Bearer", (int)expiresIn.TotalSeconds),
            SimulatorJson.Options);
    }

    private static bool TryReadBasic(HttpRequest request, out string clientId, out string clientSecret)
    {
        clientId = clientSecret = string.Empty;
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header)
            || !string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase)
            || header.Parameter is null)
        {
            return false;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
        }
        catch (FormatException)
        {
            // Malformed Basic credentials authenticate nobody: the empty id and secret are rejected as invalid_client.
            return true;
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return true;
        }

        // RFC 6749 §2.3.1: id and secret are form-urlencoded before they are put in the Basic header.
        clientId = Uri.UnescapeDataString(decoded[..colon].Replace('+', ' '));
        clientSecret = Uri.UnescapeDataString(decoded[(colon + 1)..].Replace('+', ' '));
        return true;
    }

    private static IResult Error(int status, string error, string description) =>
        Results.Json(new TokenError(error, description), SimulatorJson.Options, statusCode: status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Issued an access token valid for {ExpiresInSeconds} s")]
    private static partial void LogIssued(ILogger logger, int expiresInSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected a token request: unknown client or wrong secret")]
    private static partial void LogRejected(ILogger logger);
}
