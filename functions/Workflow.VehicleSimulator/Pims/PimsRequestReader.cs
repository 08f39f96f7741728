using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Workflow.VehicleSimulator.Pims;

/// <summary>Turns the body and headers of <c>POST /v1/pims/get</c> into a <see cref="PimsCall"/>, or says why not.</summary>
internal static class PimsRequestReader
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    private const int MaxApiLength = 200;
    private const int MaxIdempotencyKeyLength = 255;

    private static readonly JsonElement EmptyObject = JsonSerializer.Deserialize<JsonElement>("{}");

    /// <summary>Reads the raw body; <c>Error</c> is set when it is not JSON of the right shape.</summary>
    public static Task<(PimsRequest? Value, IResult? Error)> ReadAsync(HttpRequest request, CancellationToken cancellationToken) =>
        JsonBody.ReadAsync<PimsRequest>(request, cancellationToken);

    /// <summary>The Idempotency-Key header; blank counts as absent.</summary>
    public static string? IdempotencyKey(HttpRequest request)
    {
        var key = request.Headers[IdempotencyKeyHeader].ToString();
        return string.IsNullOrWhiteSpace(key) ? null : key;
    }

    /// <summary>Checks the fields; returns the call or the detail of the first problem found.</summary>
    public static (PimsCall? Call, string? Problem) Validate(PimsRequest request, string? idempotencyKey, string verb)
    {
        if (!Vin.IsValid(request.Vin))
        {
            return (null, Vin.Rule);
        }

        if (string.IsNullOrWhiteSpace(request.Api) || request.Api.Length > MaxApiLength)
        {
            return (null, $"api is required (1 to {MaxApiLength} characters).");
        }

        if (request.Parameters is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) })
        {
            return (null, "parameters must be a JSON object when present.");
        }

        if (idempotencyKey is { Length: > MaxIdempotencyKeyLength })
        {
            return (null, $"{IdempotencyKeyHeader} must be at most {MaxIdempotencyKeyLength} characters.");
        }

        var parameters = request.Parameters is { ValueKind: JsonValueKind.Object } p ? p.Clone() : EmptyObject;
        return (new PimsCall(request.Vin, request.Api, parameters, request.Otp, idempotencyKey, verb), null);
    }
}
