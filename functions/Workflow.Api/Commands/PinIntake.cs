using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.DurableTask.Client;
using Workflow.Api.Http;
using Workflow.Api.Security;
using Workflow.Vehicles;

namespace Workflow.Api.Commands;

/// <summary>
/// The one way a PIN enters the workflow (<c>POST /api/commands/{id}/pin?token=…</c>), in this order: the request is
/// valid (token shape, body, PIN shape) → the token is this command's, for PIN round r → the command awaits a PIN, in
/// round r → the vehicle may have a PIN sent now (lockout, PINs in flight) → round r is claimed, once → the PIN is
/// sealed for this command and round → raised → the answer carries round r+1's link. Whatever is refused is refused
/// before anything is written.
/// </summary>
internal sealed class PinIntake(PinTokens tokens, ISensitiveDataProtector protector, PinLockoutGuard lockout, PinRoundClaims claims, CommandLinks links)
{
    public async Task<IResult> SubmitAsync(HttpRequest request, DurableTaskClient client, string id, CancellationToken cancellationToken)
    {
        string? token = request.Query[PinTokens.QueryName].Count == 1 ? request.Query[PinTokens.QueryName][0] : null;
        if (!CommandIds.IsValid(id) || !PinTokens.IsWellFormed(token))
        {
            return InvalidToken();
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

        // A command that does not exist answers like a wrong token: a stranger learns nothing about which ids exist.
        OrchestrationMetadata? command = await CommandReader.FindAsync(client, id, cancellationToken).ConfigureAwait(false);
        VehicleCommandInput? input = command is null ? null : CommandReader.ReadInput(command);
        if (command is null || input is not { ExecutionId: var execution }
            || await tokens.FindRoundAsync(id, execution, token, cancellationToken).ConfigureAwait(false) is not { } tokenRound)
        {
            return InvalidToken();
        }

        if (command.IsCompleted)
        {
            return Problems.Conflict("Command already finished", $"Command '{id}' is {command.RuntimeStatus}; it no longer accepts a PIN.");
        }

        VehicleCommandStatus? published = CommandReader.ReadStatus(command);
        if (published is not { Stage: VehicleCommandStage.AwaitingPin, PinRound: { } round })
        {
            return Problems.Conflict(
                "Command not awaiting a PIN",
                $"Command '{id}' is at stage {published?.Stage.ToString() ?? "Pending"}. Send the PIN when its status shows stage AwaitingPin.");
        }

        // Each link takes one round's PIN: the one of an earlier round never works again, a later one not yet.
        if (tokenRound != round)
        {
            return tokenRound < round
                ? Problems.Conflict(
                    "PIN link of an earlier round",
                    $"This link was for PIN round {tokenRound} of command '{id}', which is over; the command awaits round {round}. Use the nextPinPostUri of the answer to the last PIN.")
                : Problems.Conflict(
                    "PIN round not open yet",
                    $"This link is for PIN round {tokenRound} of command '{id}'; the command still awaits round {round}. Send this PIN when its status shows pinRound {tokenRound}.");
        }

        if (input.Command is { Vin: { } vin }
            && await lockout.RefuseIfBlockedAsync(vin, id, request.HttpContext.Response, cancellationToken).ConfigureAwait(false) is { } blocked)
        {
            return blocked;
        }

        if (!await claims.TryClaimAsync(id, execution, round, cancellationToken).ConfigureAwait(false))
        {
            return Problems.Conflict(
                "PIN already received",
                $"Command '{id}' already received a PIN for this round ({round}). Watch its status: a new round opens if that PIN was wrong.");
        }

        try
        {
            await PinEvents.RaiseAsync(client, protector, id, round, pin, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Not delivered: the round may take a PIN again.
            await claims.ReleaseAsync(id, execution, round, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        // Issued here and only here: whoever sent this round's PIN may send the next round's, should this one prove wrong.
        string next = await tokens.CreateAsync(id, execution, round + 1, cancellationToken).ConfigureAwait(false);
        Uri status = links.Status(request, id);
        return TypedResults.Accepted(status, new PinAcceptedResponse(id, status, links.Pin(request, id, next)));
    }

    private static ProblemHttpResult InvalidToken() => Problems.Forbidden(
        "Invalid PIN token",
        "The token of this PIN URI is missing or does not belong to this command. Use the pinPostUri returned when the command was started, or the nextPinPostUri of the answer to its last PIN.");
}
