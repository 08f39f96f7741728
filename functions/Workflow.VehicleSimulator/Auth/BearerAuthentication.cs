using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;

namespace Workflow.VehicleSimulator.Auth;

/// <summary>Checks <c>Authorization: Bearer</c> on the vehicle API and builds the RFC 6750 challenge when it fails.</summary>
internal static class BearerAuthentication
{
    /// <summary>Whether the request carries a token this simulator issued that has expired: the gateway answers 2301 then, not 401.</summary>
    public static bool HasExpiredToken(HttpRequest request, TokenIssuer tokens) =>
        AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header)
        && string.Equals(header.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase)
        && !string.IsNullOrEmpty(header.Parameter)
        && tokens.Check(header.Parameter) == TokenCheck.Expired;

    /// <summary>Null when the request carries a valid token; otherwise the <c>WWW-Authenticate</c> value to answer with.</summary>
    public static string? Challenge(HttpRequest request, TokenIssuer tokens)
    {
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header)
            || !string.Equals(header.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase)
            || string.IsNullOrEmpty(header.Parameter))
        {
            // RFC 6750 §3.1: no error code when the request had no credentials at all.
            return "Bearer realm=\"vehicle-simulator\"";
        }

        return tokens.IsValid(header.Parameter)
            ? null
            : "Bearer realm=\"vehicle-simulator\", error=\"invalid_token\"";
    }
}
