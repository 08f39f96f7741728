using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Workflow.Durable;
using Workflow.Functions.Commands;
using Workflow.Functions.Http;
using Workflow.Vehicles;

namespace Workflow.Functions.Management;

/// <summary>
/// The Durable Functions-compatible management HTTP API: the paths, query parameters, headers, JSON shapes and
/// status codes of the public "Durable Functions HTTP API reference", served by this app's own runtime, so
/// existing Durable Functions tooling (for example the <c>durable-functions</c> npm client) can drive it.
/// </summary>
/// <remarks>
/// <para>Endpoints, all under <see cref="DurableTaskManagementPayload.RoutePrefix"/>:</para>
/// <list type="bullet">
/// <item><c>POST orchestrators/{functionName}[/{instanceId}]</c>: the body is the input, any JSON value (string,
/// number, object, array, <c>null</c>), or empty for no input; any content type. 202 + <c>Location</c> + management
/// payload; 400 unknown orchestrator, invalid instance id or malformed JSON; 409 instance id already used; 413 body
/// over 64 KB.</item>
/// <item><c>GET instances/{instanceId}</c> (<c>showHistory</c>, <c>showHistoryOutput</c>, <c>showInput</c>,
/// <c>returnInternalServerErrorOnFailure</c>): 202 + <c>Location</c> while Pending/Running, 200 when Completed,
/// Failed or Terminated (500 for Failed when <c>returnInternalServerErrorOnFailure=true</c>), 404 unknown.</item>
/// <item><c>GET instances</c> (<c>runtimeStatus</c>, <c>createdTimeFrom</c>, <c>createdTimeTo</c>, <c>top</c>,
/// <c>showInput</c>, <c>instanceIdPrefix</c>, header <c>x-ms-continuation-token</c>): 200 + JSON array.</item>
/// <item><c>POST instances/{instanceId}/raiseEvent/{eventName}</c>: the body is the event data, any JSON value sent
/// with a JSON content type, or empty for <c>null</c> data. 202; 400 malformed JSON or a non-JSON content type; 404;
/// 410 finished; 413 body over 64 KB.
/// Event <c>Pin</c> takes <c>{"pin": "&lt;4–8 digits&gt;"}</c> and delivers it sealed (see <see cref="PinEvents"/>);
/// 429 with <c>Retry-After</c>, nothing raised, when the command's vehicle is locked out of PIN attempts.</item>
/// <item><c>POST instances/{instanceId}/terminate?reason=</c>: 202; 404; 410 finished.</item>
/// <item><c>DELETE instances/{instanceId}</c>: 200 <c>{"instancesDeleted":1}</c>; 404; 409 still running.</item>
/// </list>
/// <para>Deliberate differences from Durable Functions, all product decisions:</para>
/// <list type="bullet">
/// <item>An instance id can never be reused: starting one that exists (even finished) answers 409, because the
/// product API relies on an instance id naming exactly one command. Purge the old instance first.</item>
/// <item>Purging a Pending or Running instance answers 409: the runtime refuses to delete an instance that
/// may still be executing. Terminate it first.</item>
/// <item>The failed-or-terminated 400 listed in the reference for get-status is not used: like the Durable
/// Functions extension itself, finished instances answer 200 (and the reference's own 200 line agrees).</item>
/// <item><c>taskHub</c> and <c>connection</c> are accepted and ignored: the app serves one task hub.</item>
/// <item>Rewind, suspend, resume, entities and purge-by-filter are not offered (the runtime has no such operations).</item>
/// <item>Continuation tokens are opaque (base64url); pass back exactly what was returned.</item>
/// <item>Errors are <c>application/problem+json</c> with a title and detail rather than plain text, from the same
/// <see cref="Problems"/> and the same body reader (<see cref="JsonBody"/>, 64 KB limit) as the product API.</item>
/// </list>
/// <para>
/// Authorization (function keys) is not applied here: map the API onto a route group that carries the app's
/// key filter, e.g. <c>app.MapGroup("").AddEndpointFilter(keyFilter).MapDurableTaskManagementApi()</c>.
/// Links in responses are built from the request's scheme and host, so run the forwarded-headers middleware
/// when the app sits behind a proxy.
/// </para>
/// </remarks>
public static class DurableTaskManagementEndpoints
{
    /// <summary>The header that carries a list page's continuation token, in both directions.</summary>
    public const string ContinuationTokenHeader = "x-ms-continuation-token";

    private const string Tag = "Durable Task management";
    private const string RetryAfterSeconds = "10";
    private const string TokenPrefix = "v1:";

    // Statuses Durable Functions knows but this runtime never produces: a filter on them matches nothing.
    private static readonly string[] ForeignStatuses = ["ContinuedAsNew", "Canceled", "Suspended"];

    /// <summary>Maps the management API under <c>/runtime/webhooks/durabletask/</c>.</summary>
    /// <param name="endpoints">The app or a route group (e.g. one that carries the key filter).</param>
    /// <returns><paramref name="endpoints"/>, for chaining.</returns>
    public static IEndpointRouteBuilder MapDurableTaskManagementApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        RouteGroupBuilder api = endpoints.MapGroup(DurableTaskManagementPayload.RoutePrefix).WithTags(Tag);

        api.MapPost("orchestrators/{functionName}/{instanceId?}", StartAsync)
            .WithName("DurableTask.StartOrchestration")
            .WithSummary("Starts an orchestration instance; the body (optional, at most 64 KB) is its input, any JSON value.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);

        api.MapGet("instances/{instanceId}", GetStatusAsync)
            .WithName("DurableTask.GetInstanceStatus")
            .WithSummary("Gets an instance's status: 202 while Pending/Running, 200 when finished.")
            .Produces<OrchestrationStatusPayload>(StatusCodes.Status200OK)
            .Produces<OrchestrationStatusPayload>(StatusCodes.Status202Accepted)
            .Produces<OrchestrationStatusPayload>(StatusCodes.Status500InternalServerError)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("instances", ListAsync)
            .WithName("DurableTask.ListInstances")
            .WithSummary("Lists instances, one page at a time (x-ms-continuation-token).")
            .Produces<List<OrchestrationStatusPayload>>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest);

        api.MapPost("instances/{instanceId}/raiseEvent/{eventName}", RaiseEventAsync)
            .WithName("DurableTask.RaiseEvent")
            .WithSummary("Raises an event; the body (optional, at most 64 KB) is its data, any JSON value. Event 'Pin' takes {\"pin\": \"<4-8 digits>\"}.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status410Gone)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status500InternalServerError);

        api.MapPost("instances/{instanceId}/terminate", TerminateAsync)
            .WithName("DurableTask.TerminateInstance")
            .WithSummary("Terminates a Pending or Running instance.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status410Gone);

        api.MapDelete("instances/{instanceId}", PurgeAsync)
            .WithName("DurableTask.PurgeInstance")
            .WithSummary("Deletes a finished instance and its history.")
            .Produces<PurgeHistoryPayload>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        return endpoints;
    }

    private static async Task<Results<Accepted<DurableTaskManagementPayload>, ProblemHttpResult>> StartAsync(
        string functionName, string? instanceId, HttpRequest request, DurableTaskClient client, DurableTaskRegistry registry, CancellationToken cancellationToken)
    {
        if (!registry.OrchestratorNames.Contains(functionName, StringComparer.OrdinalIgnoreCase))
        {
            return Problems.BadRequest("Unknown orchestrator", $"No orchestrator function named '{functionName}' exists in this app.");
        }

        // Any JSON value, or nothing (no input); whatever the Content-Type says, the body is read as JSON.
        (JsonElement? input, ProblemHttpResult? bodyProblem) = await JsonBody.ReadValueAsync(request, requireJsonContentType: false, cancellationToken).ConfigureAwait(false);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }

        string id;
        try
        {
            // The input goes through as the JSON it was; the orchestrator deserializes it to its own input type.
            id = await client.ScheduleNewOrchestrationInstanceAsync(functionName, input, new StartOrchestrationOptions(instanceId), cancellationToken).ConfigureAwait(false);
        }
        catch (OrchestrationAlreadyExistsException)
        {
            return Problems.Conflict(
                "Instance already exists",
                $"An instance with id '{instanceId}' already exists. Instance ids cannot be reused, even after the instance finished: use another id, or purge the existing instance first.");
        }
        catch (ArgumentException ex) when (ex.ParamName == nameof(instanceId))
        {
            return InvalidInstanceId(instanceId);
        }

        DurableTaskManagementPayload payload = DurableTaskManagementPayload.Create(request, id);
        request.HttpContext.Response.Headers.RetryAfter = RetryAfterSeconds;
        return TypedResults.Accepted(payload.StatusQueryGetUri, payload);
    }

    private static async Task<Results<JsonHttpResult<OrchestrationStatusPayload>, ProblemHttpResult>> GetStatusAsync(
        string instanceId, HttpRequest request, DurableTaskClient client, CancellationToken cancellationToken)
    {
        if (!TryGetBoolean(request, "showHistory", false, out bool showHistory, out ProblemHttpResult? problem)
            || !TryGetBoolean(request, "showHistoryOutput", false, out bool showHistoryOutput, out problem)
            || !TryGetBoolean(request, "showInput", true, out bool showInput, out problem)
            || !TryGetBoolean(request, "returnInternalServerErrorOnFailure", false, out bool failureIs500, out problem))
        {
            return problem;
        }

        OrchestrationMetadata? metadata;
        try
        {
            // Inputs and outputs are always read: the output is part of every status, and showInput only hides the input.
            metadata = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, getHistory: showHistory, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException ex) when (ex.ParamName == nameof(instanceId))
        {
            metadata = null; // an id the runtime would never accept cannot name an instance
        }

        if (metadata is null)
        {
            return NotFound(instanceId);
        }

        int status = metadata.RuntimeStatus switch
        {
            OrchestrationRuntimeStatus.Pending or OrchestrationRuntimeStatus.Running => StatusCodes.Status202Accepted,
            OrchestrationRuntimeStatus.Failed when failureIs500 => StatusCodes.Status500InternalServerError,
            _ => StatusCodes.Status200OK,
        };

        if (status == StatusCodes.Status202Accepted)
        {
            // Polling consumer pattern: keep polling this same URL.
            request.HttpContext.Response.Headers.Location = request.GetEncodedUrl();
            request.HttpContext.Response.Headers.RetryAfter = RetryAfterSeconds;
        }

        return TypedResults.Json(OrchestrationStatusPayload.From(metadata, showInput, showHistoryOutput), ManagementJson.Options, statusCode: status);
    }

    private static async Task<Results<JsonHttpResult<List<OrchestrationStatusPayload>>, ProblemHttpResult>> ListAsync(
        HttpRequest request, DurableTaskClient client, CancellationToken cancellationToken)
    {
        if (!TryGetBoolean(request, "showInput", true, out bool showInput, out ProblemHttpResult? problem)
            || !TryGetStatuses(request, out List<OrchestrationRuntimeStatus>? statuses, out problem)
            || !TryGetTime(request, "createdTimeFrom", out DateTimeOffset? from, out problem)
            || !TryGetTime(request, "createdTimeTo", out DateTimeOffset? to, out problem)
            || !TryGetTop(request, out int top, out problem)
            || !TryDecodeContinuationToken(request, out string? continuation, out problem))
        {
            return problem;
        }

        if (statuses is { Count: 0 })
        {
            return TypedResults.Json(new List<OrchestrationStatusPayload>(), ManagementJson.Options); // only statuses this runtime never produces
        }

        var query = new OrchestrationQuery
        {
            Statuses = statuses,
            CreatedFrom = from,
            CreatedTo = to,
            InstanceIdPrefix = request.Query["instanceIdPrefix"].ToString() is { Length: > 0 } prefix ? prefix : null,
            FetchInputsAndOutputs = true,
            PageSize = top,
            ContinuationToken = continuation,
        };

        OrchestrationQueryResult page;
        try
        {
            page = await client.QueryInstancesAsync(query, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (continuation is not null && ex.Status == StatusCodes.Status400BadRequest)
        {
            return InvalidContinuationToken();
        }

        if (page.ContinuationToken is { } next)
        {
            // Table continuation tokens carry partition keys (instance ids), which may hold characters a header cannot.
            request.HttpContext.Response.Headers[ContinuationTokenHeader] = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(TokenPrefix + next));
        }

        return TypedResults.Json(page.Instances.Select(m => OrchestrationStatusPayload.From(m, showInput, showHistoryOutput: false)).ToList(), ManagementJson.Options);
    }

    private static async Task<Results<Accepted, ProblemHttpResult>> RaiseEventAsync(
        string instanceId, string eventName, HttpRequest request, DurableTaskClient client, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(eventName))
        {
            return Problems.BadRequest("Invalid event name", "The event name must not be empty.");
        }

        // Any JSON value sent as JSON, or nothing (null data).
        (JsonElement? data, ProblemHttpResult? bodyProblem) = await JsonBody.ReadValueAsync(request, requireJsonContentType: true, cancellationToken).ConfigureAwait(false);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }

        try
        {
            // Event names are case-insensitive in the runtime, so "pin" must not slip past the sealing either.
            if (string.Equals(eventName, VehicleCommandNames.PinEvent, StringComparison.OrdinalIgnoreCase))
            {
                if (data is not { } body)
                {
                    return Problems.BadRequest(
                        "Invalid PIN",
                        $"The '{VehicleCommandNames.PinEvent}' event needs a body of the form {{\"{PinEvents.PropertyName}\": \"<{PinEvents.MinLength} to {PinEvents.MaxLength} digits>\"}}.");
                }

                if (!PinEvents.TryParse(body, out string? pin, out string? pinProblem))
                {
                    return Problems.BadRequest("Invalid PIN", pinProblem);
                }

                ISensitiveDataProtector? protector = request.HttpContext.RequestServices.GetService<ISensitiveDataProtector>();
                if (protector is null)
                {
                    return Problems.InternalServerError(
                        "PIN protection is not configured",
                        $"No {nameof(ISensitiveDataProtector)} is registered, so the PIN cannot be sealed; it was not delivered.");
                }

                // Same early refusal as the product API when the command's vehicle is locked out (an app without
                // the vehicle workflow's lockout has nothing to check).
                if (request.HttpContext.RequestServices.GetService<PinLockoutGuard>() is { } lockout
                    && await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false) is { } instance
                    && await lockout.RefuseIfLockedOutAsync(instance, request.HttpContext.Response, cancellationToken).ConfigureAwait(false) is { } lockedOut)
                {
                    return lockedOut;
                }

                await PinEvents.RaiseAsync(client, protector, instanceId, pin, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await client.RaiseEventAsync(instanceId, eventName, data, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OrchestrationNotFoundException)
        {
            return NotFound(instanceId);
        }
        catch (ArgumentException ex) when (ex.ParamName == nameof(instanceId))
        {
            return NotFound(instanceId);
        }
        catch (OrchestrationNotRunningException ex)
        {
            return Gone(instanceId, ex.RuntimeStatus, "it no longer accepts events");
        }

        return TypedResults.Accepted((string?)null);
    }

    private static async Task<Results<Accepted, ProblemHttpResult>> TerminateAsync(
        string instanceId, string? reason, DurableTaskClient client, CancellationToken cancellationToken)
    {
        try
        {
            await client.TerminateInstanceAsync(instanceId, reason, cancellationToken).ConfigureAwait(false);
        }
        catch (OrchestrationNotFoundException)
        {
            return NotFound(instanceId);
        }
        catch (ArgumentException ex) when (ex.ParamName == nameof(instanceId))
        {
            return NotFound(instanceId);
        }
        catch (OrchestrationNotRunningException ex)
        {
            return Gone(instanceId, ex.RuntimeStatus, "it cannot be terminated");
        }

        return TypedResults.Accepted((string?)null);
    }

    private static async Task<Results<JsonHttpResult<PurgeHistoryPayload>, ProblemHttpResult>> PurgeAsync(
        string instanceId, DurableTaskClient client, CancellationToken cancellationToken)
    {
        PurgeResult result;
        try
        {
            result = await client.PurgeInstanceAsync(instanceId, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException ex) when (ex.ParamName == nameof(instanceId))
        {
            return NotFound(instanceId);
        }
        catch (InvalidOperationException ex) when (ex is not OrchestrationNotFoundException)
        {
            return Problems.Conflict(
                "Instance is still running",
                $"Instance '{instanceId}' has not finished, and only finished instances can be purged: terminate it first.");
        }

        return result.PurgedInstanceCount == 0
            ? NotFound(instanceId)
            : TypedResults.Json(new PurgeHistoryPayload(result.PurgedInstanceCount), ManagementJson.Options);
    }

    // ---- request parsing ---------------------------------------------------------------------------------------

    private static bool TryGetBoolean(HttpRequest request, string name, bool defaultValue, out bool value, [NotNullWhen(false)] out ProblemHttpResult? problem)
    {
        problem = null;
        string raw = request.Query[name].ToString();
        if (raw.Length == 0)
        {
            value = defaultValue;
            return true;
        }

        if (bool.TryParse(raw, out value))
        {
            return true;
        }

        problem = InvalidQuery(name, $"'{raw}' is not 'true' or 'false'.");
        return false;
    }

    private static bool TryGetStatuses(HttpRequest request, out List<OrchestrationRuntimeStatus>? statuses, [NotNullWhen(false)] out ProblemHttpResult? problem)
    {
        statuses = null;
        problem = null;
        string[] names = request.Query["runtimeStatus"]
            .SelectMany(v => (v ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToArray();
        if (names.Length == 0)
        {
            return true;
        }

        statuses = [];
        foreach (string name in names)
        {
            // Names only: Enum.TryParse would also accept numbers, which Durable Functions does not document.
            string? known = Enum.GetNames<OrchestrationRuntimeStatus>().FirstOrDefault(n => n.Equals(name, StringComparison.OrdinalIgnoreCase));
            if (known is not null)
            {
                statuses.Add(Enum.Parse<OrchestrationRuntimeStatus>(known));
            }
            else if (!ForeignStatuses.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                problem = InvalidQuery(
                    "runtimeStatus",
                    $"'{name}' is not a runtime status. Use a comma-separated list of: {string.Join(", ", Enum.GetNames<OrchestrationRuntimeStatus>().Concat(ForeignStatuses))}.");
                return false;
            }
        }

        return true;
    }

    private static bool TryGetTime(HttpRequest request, string name, out DateTimeOffset? value, [NotNullWhen(false)] out ProblemHttpResult? problem)
    {
        value = null;
        problem = null;
        string raw = request.Query[name].ToString();
        if (raw.Length == 0)
        {
            return true;
        }

        if (DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset parsed))
        {
            value = parsed;
            return true;
        }

        problem = InvalidQuery(name, $"'{raw}' is not an ISO 8601 timestamp (e.g. 2024-01-31T12:00:00Z).");
        return false;
    }

    private static bool TryGetTop(HttpRequest request, out int top, [NotNullWhen(false)] out ProblemHttpResult? problem)
    {
        const int defaultPage = 100, maxPage = 1000;
        problem = null;
        string raw = request.Query["top"].ToString();
        if (raw.Length == 0)
        {
            top = defaultPage;
            return true;
        }

        if (int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out top) && top > 0)
        {
            // Larger pages are capped, which the reference allows: a page may hold fewer than 'top' items.
            top = Math.Min(top, maxPage);
            return true;
        }

        problem = InvalidQuery("top", $"'{raw}' is not a positive integer.");
        return false;
    }

    private static bool TryDecodeContinuationToken(HttpRequest request, out string? token, [NotNullWhen(false)] out ProblemHttpResult? problem)
    {
        token = null;
        problem = null;
        string raw = request.Headers[ContinuationTokenHeader].ToString();
        if (raw.Length == 0)
        {
            return true;
        }

        try
        {
            string decoded = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(raw));
            if (decoded.StartsWith(TokenPrefix, StringComparison.Ordinal) && decoded.Length > TokenPrefix.Length)
            {
                token = decoded[TokenPrefix.Length..];
                return true;
            }
        }
        catch (FormatException)
        {
            // Falls through to the problem below.
        }

        problem = InvalidContinuationToken();
        return false;
    }

    // ---- problems ----------------------------------------------------------------------------------------------

    private static ProblemHttpResult NotFound(string instanceId)
        => Problems.NotFound("Instance not found", $"No orchestration instance with id '{instanceId}' exists.");

    private static ProblemHttpResult Gone(string instanceId, OrchestrationRuntimeStatus status, string consequence)
        => Problems.Gone("Instance has finished", $"Instance '{instanceId}' is {status}; {consequence}.");

    private static ProblemHttpResult InvalidInstanceId(string? instanceId)
        => Problems.BadRequest(
            "Invalid instance id",
            $"Instance id '{instanceId}' is not valid: use {InstanceIds.Rule}.");

    private static ProblemHttpResult InvalidQuery(string name, string reason)
        => Problems.BadRequest($"Invalid query parameter '{name}'", reason);

    private static ProblemHttpResult InvalidContinuationToken()
        => Problems.BadRequest(
            "Invalid continuation token",
            $"The '{ContinuationTokenHeader}' header must be a token returned by a previous list response, unchanged.");
}

/// <summary>The body of a purge response, as in Durable Functions.</summary>
/// <param name="InstancesDeleted">How many instances were deleted (1 for a single instance).</param>
internal sealed record PurgeHistoryPayload([property: JsonPropertyName("instancesDeleted")] int InstancesDeleted);
