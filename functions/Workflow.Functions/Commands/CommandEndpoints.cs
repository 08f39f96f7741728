using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Workflow.Durable;
using Workflow.Functions.Http;
using Workflow.Functions.Security;
using Workflow.Vehicles;

namespace Workflow.Functions.Commands;

/// <summary>
/// The product API: start a vehicle command, watch it, send the PIN it asks for. Every error is a
/// problem (<c>application/problem+json</c>) and is decided before anything is written.
/// </summary>
public static class CommandEndpoints
{
    /// <summary>The route prefix of the product API.</summary>
    public const string GroupPrefix = "/api/commands";

    /// <summary>Maps <c>POST /api/commands</c>, <c>GET /api/commands/{id}</c> and <c>POST /api/commands/{id}/pin</c>.</summary>
    /// <param name="endpoints">The app.</param>
    /// <returns>The same builder.</returns>
    public static IEndpointRouteBuilder MapCommandsApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        RouteGroupBuilder commands = endpoints.MapGroup(GroupPrefix)
            .WithTags("Commands")
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        commands.MapPost(string.Empty, StartAsync)
            .WithName("StartCommand")
            .WithSummary("Starts a vehicle command.")
            .WithDescription("Body: {\"vin\": \"<17 chars>\", \"api\": \"<pims api>\", \"parameters\": {…}, \"instanceId\": \"<optional, for an idempotent start>\"}. "
                + "Answers 202 with Location and the Durable Functions management payload plus pinPostUri.")
            .Accepts<JsonElement>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);

        commands.MapGet("/{id}", GetStatusAsync)
            .WithName("GetCommandStatus")
            .WithSummary("Gets a command's status: 202 while it runs, 200 once it has finished.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        commands.MapPost("/{id}/pin", SubmitPinAsync)
            .WithName("SubmitCommandPin")
            .WithSummary("Sends the user's PIN to a command that awaits it. Use the pinPostUri from the start response (it carries the token).")
            .Accepts<JsonElement>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        return endpoints;
    }

    private static async Task<Results<Accepted<CommandStartedResponse>, ProblemHttpResult>> StartAsync(
        HttpRequest request,
        DurableTaskClient client,
        PinTokens tokens,
        IOptions<DurableTaskOptions> durable,
        CancellationToken cancellationToken)
    {
        (JsonElement body, ProblemHttpResult? problem) = await JsonBody.ReadObjectAsync(request, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        if (!CommandRequestValidation.TryParseStart(body, out StartCommand? command, out Dictionary<string, string[]> errors))
        {
            return Problems.Invalid("Invalid command request", errors);
        }

        string id;
        try
        {
            id = await client.ScheduleNewOrchestrationInstanceAsync(
                VehicleCommandNames.Orchestrator, command!.Request, new StartOrchestrationOptions(command.InstanceId), cancellationToken).ConfigureAwait(false);
        }
        catch (OrchestrationAlreadyExistsException)
        {
            // An idempotent retry gets the same answer; anything else under that id is a conflict.
            id = command!.InstanceId!;
            OrchestrationMetadata? existing = await client.GetInstanceAsync(id, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
            if (existing is null
                || !IsVehicleCommand(existing)
                || existing.ReadInputAs<VehicleCommandRequest>(durable.Value.SerializerOptions) is not { } input
                || !CommandRequestValidation.IsSameCommand(input, command.Request))
            {
                return Problems.Conflict(
                    "Instance id already in use",
                    $"Another command already uses instanceId '{id}'. Repeat exactly the same request to get that command back, or choose another instanceId.");
            }
        }

        string token = await tokens.CreateAsync(id, cancellationToken).ConfigureAwait(false);
        return TypedResults.Accepted(CommandLinks.Status(request, id), CommandLinks.Started(request, id, token));
    }

    private static async Task<Results<Ok<CommandStatusResponse>, Accepted<CommandStatusResponse>, ProblemHttpResult>> GetStatusAsync(
        string id,
        HttpRequest request,
        DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        OrchestrationMetadata? metadata = InstanceIds.IsValid(id)
            ? await client.GetInstanceAsync(id, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false)
            : null;
        if (metadata is null || !IsVehicleCommand(metadata))
        {
            return CommandNotFound(id);
        }

        CommandStatusResponse status = new(
            metadata.InstanceId,
            metadata.RuntimeStatus.ToString(),
            ParseJson(metadata.SerializedCustomStatus),
            ParseJson(metadata.SerializedOutput),
            metadata.CreatedAt,
            metadata.LastUpdatedAt,
            metadata.FailureDetails is { } failure ? new CommandFailure(failure.ErrorType, failure.ErrorMessage) : null);
        return metadata.IsCompleted ? TypedResults.Ok(status) : TypedResults.Accepted(CommandLinks.Status(request, id), status);
    }

    private static async Task<Results<Accepted<PinAcceptedResponse>, ProblemHttpResult>> SubmitPinAsync(
        string id,
        [FromQuery(Name = PinTokens.QueryName)] string? token,
        HttpRequest request,
        DurableTaskClient client,
        PinTokens tokens,
        ISensitiveDataProtector protector,
        PinLockoutGuard lockout,
        CancellationToken cancellationToken)
    {
        // The token needs no storage read, and checking it first tells a stranger nothing about which ids exist.
        if (!InstanceIds.IsValid(id) || !await tokens.IsValidAsync(id, token, cancellationToken).ConfigureAwait(false))
        {
            return Problems.Forbidden(
                "Invalid PIN token",
                "The token of this PIN URI is missing or does not belong to this command. Use the pinPostUri returned when the command was started.");
        }

        (JsonElement body, ProblemHttpResult? problem) = await JsonBody.ReadObjectAsync(request, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        // Same rules as the management API's Pin event; the problem text never contains the submitted value.
        if (!PinEvents.TryParse(body, out string? pin, out string? pinProblem))
        {
            return Problems.Invalid("Invalid PIN", new Dictionary<string, string[]> { [PinEvents.PropertyName] = [pinProblem] });
        }

        // With the input: the lockout check needs the command's VIN.
        OrchestrationMetadata? metadata = await client.GetInstanceAsync(id, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
        if (metadata is null || !IsVehicleCommand(metadata))
        {
            return CommandNotFound(id);
        }

        if (metadata.IsCompleted)
        {
            return Problems.Conflict("Command already finished", $"Command '{id}' is {metadata.RuntimeStatus}; it no longer accepts a PIN.");
        }

        VehicleCommandStage? stage = ReadStage(metadata);
        if (stage != VehicleCommandStage.AwaitingPin)
        {
            return Problems.Conflict(
                "Command not awaiting a PIN",
                $"Command '{id}' is at stage {stage?.ToString() ?? "Pending"}. Send the PIN when its status shows stage AwaitingPin.");
        }

        if (await lockout.RefuseIfLockedOutAsync(metadata, request.HttpContext.Response, cancellationToken).ConfigureAwait(false) is { } lockedOut)
        {
            return lockedOut;
        }

        try
        {
            await PinEvents.RaiseAsync(client, protector, id, pin, cancellationToken).ConfigureAwait(false);
        }
        catch (OrchestrationNotRunningException ex)
        {
            return Problems.Conflict("Command already finished", $"Command '{id}' is {ex.RuntimeStatus}; it no longer accepts a PIN.");
        }
        catch (OrchestrationNotFoundException)
        {
            return CommandNotFound(id);
        }

        Uri status = CommandLinks.Status(request, id);
        return TypedResults.Accepted(status, new PinAcceptedResponse(id, status));
    }

    private static bool IsVehicleCommand(OrchestrationMetadata metadata)
        => string.Equals(metadata.Name, VehicleCommandNames.Orchestrator, StringComparison.OrdinalIgnoreCase);

    private static ProblemHttpResult CommandNotFound(string id)
        => Problems.NotFound("Command not found", $"There is no command with id '{id}'.");

    private static VehicleCommandStage? ReadStage(OrchestrationMetadata metadata)
    {
        if (ParseJson(metadata.SerializedCustomStatus) is { ValueKind: JsonValueKind.Object } status
            && status.TryGetProperty("stage", out JsonElement stage)
            && stage.ValueKind == JsonValueKind.String
            && Enum.TryParse(stage.GetString(), ignoreCase: true, out VehicleCommandStage parsed))
        {
            return parsed;
        }

        return null;
    }

    private static JsonElement? ParseJson(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        using JsonDocument document = JsonDocument.Parse(json);
        return document.RootElement.ValueKind == JsonValueKind.Null ? null : document.RootElement.Clone();
    }
}
