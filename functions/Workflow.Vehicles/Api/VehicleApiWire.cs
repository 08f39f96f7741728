using System.Text.Json;
using System.Text.Json.Serialization;

namespace Workflow.Vehicles.Api;

/// <summary>Body of <c>POST /v1/pims/get</c>: the SDK envelope <c>{vin, api, parameters, otp?}</c>.</summary>
internal sealed record PimsEnvelope(
    [property: JsonPropertyName("vin")] string Vin,
    [property: JsonPropertyName("api")] string Api,
    [property: JsonPropertyName("parameters")] JsonElement Parameters,
    [property: JsonPropertyName("otp"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Otp)
{
    public override string ToString() => $"{Api} for VIN {Vin}";
}

/// <summary>Answer of <c>POST /v1/token</c> (OAuth 2.0, RFC 6749 §5.1).</summary>
internal sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string? AccessToken,
    [property: JsonPropertyName("token_type")] string? TokenType,
    [property: JsonPropertyName("expires_in")] int? ExpiresIn)
{
    public override string ToString() => $"{TokenType} token (value redacted), expires in {ExpiresIn} s";
}
