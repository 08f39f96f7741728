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
    private readonly PinIntake _pins;
    private readonly CommandLinks _links;
    private readonly IOptions<VehicleWorkflowOptions> _workflow;

    internal CommandHandlers(PinTokens tokens, PinIntake pins, CommandLinks links, IOptions<VehicleWorkflowOptions> workflow)
    {
        _tokens = tokens;
        _pins = pins;
        _links = links;
        _workflow = workflow;
    }

    /// <summary>
    /// <c>POST /api/commands</c>: 202 with <c>Location</c>, the status link and the link of PIN round 1 (its token, issued this once).
    /// A repeated start with the same <c>instanceId</c> and body answers the command's status, without a PIN link.
    /// </summary>
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

        // The settings snapshot makes the command replay with the rules it started with, whatever is deployed later;
        // the execution id binds this execution's PIN link without reading the instance back.
        var input = new VehicleCommandInput(command.Request, VehicleCommandSettings.From(_workflow.Value), Guid.NewGuid());
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

        string token = await _tokens.CreateAsync(id, input.ExecutionId, round: 1, cancellationToken).ConfigureAwait(false);
        Uri status = _links.Status(request, id);
        return TypedResults.Accepted(status, new CommandStartedResponse(id, status, _links.Pin(request, id, token)));
    }

    /// <summary><c>GET /api/commands/{id}</c>: 202 while the command runs, 200 once it has finished.</summary>
    public async Task<IResult> GetStatusAsync(HttpRequest request, DurableTaskClient client, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(client);
        OrchestrationMetadata? metadata = await CommandReader.FindAsync(client, id, cancellationToken).ConfigureAwait(false);
        return metadata is null ? CommandNotFound(id) : Status(request, metadata);
    }

    /// <summary><c>POST /api/commands/{id}/pin?token=…</c> with <c>{"pin": "…"}</c>: 202 when the PIN was delivered (see <see cref="PinIntake"/>).</summary>
    public Task<IResult> SubmitPinAsync(HttpRequest request, DurableTaskClient client, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(client);
        return _pins.SubmitAsync(request, client, id, cancellationToken);
    }

    // Every status deduplicates: without them the engine replaces an instance with the same id, even a running one.
    private static StartOrchestrationOptions StartOptions(string? instanceId)
        => new StartOrchestrationOptions(instanceId).WithDedupeStatuses([.. StartOrchestrationOptionsExtensions.ValidDedupeStatuses]);

    private IResult Status(HttpRequest request, OrchestrationMetadata metadata)
    {
        CommandFailure? failure = CommandReader.ReadFailure(metadata);
        CommandStatusResponse status = new(
            metadata.InstanceId,
            metadata.RuntimeStatus.ToString(),
            CommandReader.ReadCustomStatus(metadata),
            failure is null ? CommandReader.ReadOutput(metadata) : null,
            metadata.CreatedAt,
            metadata.LastUpdatedAt,
            failure);
        return metadata.IsCompleted ? TypedResults.Ok(status) : TypedResults.Accepted(_links.Status(request, metadata.InstanceId), status);
    }

    /// <summary>
    /// For an id already in use: the command's status when the request repeats that command (an idempotent retry: no
    /// new PIN token, the first response had it), a 409 when it is anything else; <c>null</c> when the id is free.
    /// </summary>
    private async Task<IResult?> CheckExistingAsync(HttpRequest request, DurableTaskClient client, string id, VehicleCommandRequest command, CancellationToken cancellationToken)
    {
        OrchestrationMetadata? existing = await client.GetInstanceAsync(id, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            return null;
        }

        return CommandReader.IsVehicleCommand(existing)
            && CommandReader.ReadInput(existing) is { Command: { } started }
            && CommandRequestValidation.IsSameCommand(started, command)
            ? Status(request, existing)
            : Problems.Conflict(
                "Instance id already in use",
                $"Another command already uses instanceId '{id}'. Repeat exactly the same request to get that command's status, or choose another instanceId.");
    }

    private static ProblemHttpResult CommandNotFound(string id)
        => Problems.NotFound("Command not found", $"There is no command with id '{id}'.");
}
