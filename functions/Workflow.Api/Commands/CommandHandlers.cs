using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using Workflow.Api.Http;
using Workflow.Api.Security;
using Workflow.Vehicles;
using Workflow.Vehicles.Options;
using Workflow.Vehicles.Orchestration;

namespace Workflow.Api.Commands;

/// <summary>
/// The product API: start a vehicle command, watch it, send the PIN it asks for. Both hosts call these handlers:
/// the Functions app from its HTTP triggers (the host checks the function key), the local host from its routes.
/// Every error is a problem (<c>application/problem+json</c>) decided before anything is written.
/// </summary>
public sealed class CommandHandlers
{
    private readonly PinTokens _tokens;
    private readonly ISensitiveDataProtector _protector;
    private readonly PinLockoutGuard _lockout;
    private readonly CommandLinks _links;
    private readonly IOptions<VehicleWorkflowOptions> _workflow;

    internal CommandHandlers(PinTokens tokens, ISensitiveDataProtector protector, PinLockoutGuard lockout, CommandLinks links, IOptions<VehicleWorkflowOptions> workflow)
    {
        _tokens = tokens;
        _protector = protector;
        _lockout = lockout;
        _links = links;
        _workflow = workflow;
    }

    /// <summary><c>POST /api/commands</c>: 202 with <c>Location</c>, the status link and the PIN link.</summary>
    public async Task<IResult> StartAsync(HttpRequest request, DurableTaskClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(client);
        (JsonElement body, ProblemHttpResult? problem) = await JsonBody.ReadObjectAsync(request, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        if (!CommandRequestValidation.TryParseStart(body, out StartCommand? command, out Dictionary<string, string[]> errors))
        {
            return Problems.Invalid("Invalid command request", errors);
        }

        // An id already in use is answered before anything is scheduled: the engine would otherwise replace a
        // finished command with a new execution and act on the vehicle a second time.
        if (command!.InstanceId is { } requestedId
            && await CheckExistingAsync(request, client, requestedId, command.Request, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return existing;
        }

        // The settings snapshot makes the command replay with the rules it started with, whatever is deployed later.
        var input = new VehicleCommandInput(command.Request, VehicleCommandSettings.From(_workflow.Value));
        string id;
        try
        {
            id = await client.ScheduleNewOrchestrationInstanceAsync(VehicleCommandNames.Orchestrator, input, StartOptions(command.InstanceId), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (command.InstanceId is not null && !cancellationToken.IsCancellationRequested)
        {
            // Another start with the same id may have won the race; anything else is a real failure.
            if (await CheckExistingAsync(request, client, command.InstanceId, command.Request, cancellationToken).ConfigureAwait(false) is { } raced)
            {
                return raced;
            }

            throw;
        }

        return await StartedAsync(request, id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>GET /api/commands/{id}</c>: 202 while the command runs, 200 once it has finished.</summary>
    public async Task<IResult> GetStatusAsync(HttpRequest request, DurableTaskClient client, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(client);
        OrchestrationMetadata? metadata = await FindCommandAsync(client, id, cancellationToken).ConfigureAwait(false);
        if (metadata is null)
        {
            return CommandNotFound(id);
        }

        CommandFailure? failure = ReadFailure(metadata);
        CommandStatusResponse status = new(
            metadata.InstanceId,
            metadata.RuntimeStatus.ToString(),
            ParseJson(metadata.SerializedCustomStatus),
            failure is null ? ParseJson(metadata.SerializedOutput) : null,
            metadata.CreatedAt,
            metadata.LastUpdatedAt,
            failure);
        return metadata.IsCompleted ? TypedResults.Ok(status) : TypedResults.Accepted(_links.Status(request, id), status);
    }

    /// <summary><c>POST /api/commands/{id}/pin?token=…</c> with <c>{"pin": "…"}</c>: 202 when the PIN was delivered.</summary>
    public async Task<IResult> SubmitPinAsync(HttpRequest request, DurableTaskClient client, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(client);

        // The token needs no storage read, and checking it first tells a stranger nothing about which ids exist.
        string? token = request.Query[PinTokens.QueryName].Count == 1 ? request.Query[PinTokens.QueryName][0] : null;
        if (!CommandIds.IsValid(id) || !await _tokens.IsValidAsync(id, token, cancellationToken).ConfigureAwait(false))
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

        // The problem text never contains the submitted value.
        if (!PinEvents.TryParse(body, out string? pin, out string? pinProblem))
        {
            return Problems.Invalid("Invalid PIN", new Dictionary<string, string[]> { [PinEvents.PropertyName] = [pinProblem] });
        }

        // With the input: the lockout check needs the command's VIN.
        OrchestrationMetadata? metadata = await FindCommandAsync(client, id, cancellationToken).ConfigureAwait(false);
        if (metadata is null)
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

        if (metadata.ReadInputAs<VehicleCommandInput>() is { Command.Vin: { } vin }
            && await _lockout.RefuseIfLockedOutAsync(vin, id, request.HttpContext.Response, cancellationToken).ConfigureAwait(false) is { } lockedOut)
        {
            return lockedOut;
        }

        await PinEvents.RaiseAsync(client, _protector, id, pin, cancellationToken).ConfigureAwait(false);
        Uri status = _links.Status(request, id);
        return TypedResults.Accepted(status, new PinAcceptedResponse(id, status));
    }

    // Every status deduplicates: without them the engine replaces an instance with the same id, even a running one.
    private static StartOrchestrationOptions StartOptions(string? instanceId)
        => new StartOrchestrationOptions(instanceId).WithDedupeStatuses([.. StartOrchestrationOptionsExtensions.ValidDedupeStatuses]);

    private async Task<IResult> StartedAsync(HttpRequest request, string id, CancellationToken cancellationToken)
    {
        string token = await _tokens.CreateAsync(id, cancellationToken).ConfigureAwait(false);
        Uri status = _links.Status(request, id);
        return TypedResults.Accepted(status, new CommandStartedResponse(id, status, _links.Pin(request, id, token)));
    }

    /// <summary>
    /// For an id already in use: the same answer as the first start when the request repeats that command
    /// (an idempotent retry), a 409 when it is anything else; <c>null</c> when the id is free.
    /// </summary>
    private async Task<IResult?> CheckExistingAsync(HttpRequest request, DurableTaskClient client, string id, VehicleCommandRequest command, CancellationToken cancellationToken)
    {
        OrchestrationMetadata? existing = await client.GetInstanceAsync(id, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            return null;
        }

        if (!IsVehicleCommand(existing)
            || existing.ReadInputAs<VehicleCommandInput>() is not { Command: { } started }
            || !CommandRequestValidation.IsSameCommand(started, command))
        {
            return Problems.Conflict(
                "Instance id already in use",
                $"Another command already uses instanceId '{id}'. Repeat exactly the same request to get that command back, or choose another instanceId.");
        }

        return await StartedAsync(request, id, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<OrchestrationMetadata?> FindCommandAsync(DurableTaskClient client, string id, CancellationToken cancellationToken)
    {
        OrchestrationMetadata? metadata = CommandIds.IsValid(id)
            ? await client.GetInstanceAsync(id, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false)
            : null;
        return metadata is not null && IsVehicleCommand(metadata) ? metadata : null;
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

    /// <summary>
    /// Why the orchestration failed. Through the sidecar the engine reports failure details; the Durable extension
    /// instead leaves them out and stores the failure as the output's text (<c>"System.ArgumentException: …"</c>).
    /// </summary>
    private static CommandFailure? ReadFailure(OrchestrationMetadata metadata)
    {
        if (metadata.FailureDetails is { } details)
        {
            return new CommandFailure(details.ErrorType, details.ErrorMessage);
        }

        if (metadata.RuntimeStatus != OrchestrationRuntimeStatus.Failed || string.IsNullOrEmpty(metadata.SerializedOutput))
        {
            return null;
        }

        string text = ParseJson(metadata.SerializedOutput) is { ValueKind: JsonValueKind.String } output ? output.GetString()! : metadata.SerializedOutput;
        int colon = text.IndexOf(": ", StringComparison.Ordinal);
        bool typed = colon > 0 && text[..colon].All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '+');
        return typed ? new CommandFailure(text[..colon], text[(colon + 2)..]) : new CommandFailure(string.Empty, text);
    }

    private static JsonElement? ParseJson(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Null ? null : document.RootElement.Clone();
        }
        catch (JsonException)
        {
            // The Durable extension stores a failed orchestration's output as plain text (the exception): show it as a string.
            return JsonSerializer.SerializeToElement(json);
        }
    }
}
