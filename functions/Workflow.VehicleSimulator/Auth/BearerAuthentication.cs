using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;

namespace Workflow.VehicleSimulator.Auth;

/// <summary>Checks <c>Authorization: Bearer</c> on the vehicle API and builds the RFC 6750 challenge when it fails.</summary>
internal static class BearerAuthentication
{
    /// <summary>
    /// Looks the request's bearer token up once. <c>Check</c> is <see cref="TokenCheck.Unknown"/> when the request carries
    /// no bearer token too; <c>Challenge</c>, the <c>WWW-Authenticate</c> value to answer with, is set exactly then. An
    /// expired token is no 401: the gateway answers 2301.
    /// </summary>
    public static (TokenCheck Check, string? Challenge) Authenticate(HttpRequest request, TokenIssuer tokens)
    {
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header)
            || !string.Equals(header.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase)
            || string.IsNullOrEmpty(header.Parameter))
        {
            // RFC 6750 §3.1: no error code when the request had no credentials at all.
            return (TokenCheck.Unknown, "Bearer realm=\"vehicle-simulator\"");
        }

        var check = tokens.Check(header.Parameter);
        return (check, check == TokenCheck.Unknown ? "Bearer realm=\"vehicle-simulator\", error=\"invalid_token\"" : null);
    }
}
