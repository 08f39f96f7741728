using System.Text.Json.Serialization;

namespace Workflow.VehicleSimulator.Auth;

/// <summary>Successful token response (RFC 6749 §5.1).</summary>
internal sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] int ExpiresIn);

/// <summary>Token error response (RFC 6749 §5.2).</summary>
internal sealed record TokenError(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string ErrorDescription);

