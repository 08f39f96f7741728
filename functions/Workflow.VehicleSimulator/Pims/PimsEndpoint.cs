using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Workflow.VehicleSimulator.Auth;
using Workflow.VehicleSimulator.State;

namespace Workflow.VehicleSimulator.Pims;

/// <summary>
/// <c>POST /v1/pims/get</c> and <c>POST /v1/pims/set</c>: the HTTP mirror of the SDK's <c>pims.get(api, parameters)</c>
/// and <c>pims.set(api, parameters)</c>. Business outcomes, failures included, are HTTP 200 with the SDK message (an
/// expired token too: 2301); only transport-level problems (a missing or unknown token, a malformed body) are HTTP errors.
/// </summary>
internal static partial class PimsEndpoint
{
    /// <summary>The <c>pims.get</c> endpoint.</summary>
    public const string Path = "/v1/pims/get";

    /// <summary>The <c>pims.set</c> endpoint.</summary>
    public const string SetPath = "/v1/pims/set";

    /// <summary>Whether <paramref name="path"/> is one of the pims endpoints.</summary>
    public static bool IsPimsPath(string path) =>
        string.Equals(path, Path, StringComparison.OrdinalIgnoreCase) || string.Equals(path, SetPath, StringComparison.OrdinalIgnoreCase);

    /// <summary>The verb of a pims endpoint's path.</summary>
    public static string VerbOf(string path) => string.Equals(path, SetPath, StringComparison.OrdinalIgnoreCase) ? PimsCatalogue.Set : PimsCatalogue.Get;

    public static Task<IResult> HandleGetAsync(HttpContext context, TokenIssuer tokens, PimsProcessor processor, SimulatorState state, ILogger<PimsProcessor> logger) =>
        HandleAsync(PimsCatalogue.Get, context, tokens, processor, state, logger);

    public static Task<IResult> HandleSetAsync(HttpContext context, TokenIssuer tokens, PimsProcessor processor, SimulatorState state, ILogger<PimsProcessor> logger) =>
        HandleAsync(PimsCatalogue.Set, context, tokens, processor, state, logger);

    private static async Task<IResult> HandleAsync(
        string verb,
        HttpContext context,
        TokenIssuer tokens,
        PimsProcessor processor,
        SimulatorState state,
        ILogger<PimsProcessor> logger)
    {
        var at = state.Time.GetUtcNow();
        var idempotencyKey = PimsRequestReader.IdempotencyKey(context.Request);

        // The body is read before authentication only so the request log can say which VIN a 401 was for.
        var (request, bodyError) = await PimsRequestReader.ReadAsync(context.Request, context.RequestAborted);

        var (token, challenge) = BearerAuthentication.Authenticate(context.Request, tokens);
        if (token == TokenCheck.Unknown)
        {
            state.Requests.Add(Entry(at, request, idempotencyKey, StatusCodes.Status401Unauthorized, verb));
            context.Response.Headers.WWWAuthenticate = challenge;
            return Results.Problem(
                detail: "A valid bearer token from POST /v1/token is required.",
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Unauthorized");
        }

        var (call, problem) = request is null ? (null, null) : PimsRequestReader.Validate(request, idempotencyKey, verb);
        if (call is null)
        {
            state.Requests.Add(Entry(at, request, idempotencyKey, StatusCodes.Status400BadRequest, verb));
            return bodyError ?? JsonBody.BadRequest(problem!);
        }

        // An expired token gets the SDK's 2301 "Need Basic Authentication": nothing is done or remembered. Except the
        // horn, which the spec exempts from 2301: it goes through as with a valid token.
        var (message, replayed) = token == TokenCheck.Expired && PimsCatalogue.NeedsBasicAuthentication(call)
            ? (PimsMessage.Failed(Guid.NewGuid().ToString(), PimsCodes.NeedBasicAuthentication), false)
            : processor.Handle(call);
        state.Requests.Add(new RequestLogEntry(
            at,
            call.Vin,
            call.Api,
            call.Otp is not null,
            call.IdempotencyKey,
            replayed,
            StatusCodes.Status200OK,
            message.Status,
            message.Error?.Code,
            verb));
        if (message.Error is { } failure)
        {
            LogFailed(logger, call.Api, call.Vin, failure.Code, message.TransactionId, replayed);
        }
        else
        {
            LogSucceeded(logger, call.Api, call.Vin, message.TransactionId, replayed);
        }

        return Results.Json(message, SimulatorJson.Options);
    }

    /// <summary>A log entry for a request that got no business answer; the fields come from the body when it could be read.</summary>
    public static RequestLogEntry Entry(DateTimeOffset at, PimsRequest? request, string? idempotencyKey, int httpStatus, string verb) =>
        new(at, request?.Vin, request?.Api, request?.Otp is not null, idempotencyKey, Replayed: false, httpStatus, Status: null, ErrorCode: null, verb);

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "pims {Api} for VIN {Vin}: SUCCEEDED (transaction {TransactionId}, replayed {Replayed})")]
    private static partial void LogSucceeded(ILogger logger, string api, string vin, string transactionId, bool replayed);

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "pims {Api} for VIN {Vin}: FAILED {ErrorCode} (transaction {TransactionId}, replayed {Replayed})")]
    private static partial void LogFailed(ILogger logger, string api, string vin, int errorCode, string transactionId, bool replayed);
}
