using System.Text.Json;
using System.Text.Json.Serialization;

namespace Workflow.Api.Commands;

/// <summary>
/// The answer to a start. The names follow Durable Functions' <c>CreateCheckStatusResponse</c>, but every link is the
/// product's own: the Durable management webhooks need the operators' system key and are never handed out.
/// </summary>
/// <param name="Id">The instance id.</param>
/// <param name="StatusQueryGetUri">GET: the command's status (also the <c>Location</c> header).</param>
/// <param name="PinPostUri">POST <c>{"pin":"…"}</c> here when the status says <c>AwaitingPin</c>: the link of PIN round 1, with its token.</param>
public sealed record CommandStartedResponse(string Id, Uri StatusQueryGetUri, Uri PinPostUri);

/// <summary>A command's status.</summary>
/// <param name="Id">The instance id.</param>
/// <param name="RuntimeStatus"><c>Pending</c>, <c>Running</c>, <c>Completed</c>, <c>Failed</c> or <c>Terminated</c>.</param>
/// <param name="CustomStatus">Where the command is: <c>stage</c> and, while awaiting a PIN, <c>pinAttemptsLeft</c> and <c>pinDeadline</c>.</param>
/// <param name="Output">The outcome once finished: <c>status</c>, <c>result</c> or <c>error</c>, <c>transactionId</c>, <c>outcome</c>.</param>
/// <param name="CreatedTime">When the command was started (UTC).</param>
/// <param name="LastUpdatedTime">When it last changed (UTC).</param>
/// <param name="FailureDetails">Why the orchestration failed, when it did (not a vehicle error: those are in <paramref name="Output"/>).</param>
public sealed record CommandStatusResponse(
    string Id,
    string RuntimeStatus,
    JsonElement? CustomStatus,
    JsonElement? Output,
    DateTimeOffset CreatedTime,
    DateTimeOffset LastUpdatedTime,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] CommandFailure? FailureDetails = null);

/// <summary>Why an orchestration failed.</summary>
/// <param name="ErrorType">The exception type.</param>
/// <param name="ErrorMessage">The message.</param>
public sealed record CommandFailure(string ErrorType, string ErrorMessage);

/// <summary>The answer to an accepted PIN.</summary>
/// <param name="Id">The instance id.</param>
/// <param name="StatusQueryGetUri">Poll here for the outcome.</param>
/// <param name="NextPinPostUri">
/// The link of the next PIN round, issued only here: POST the next PIN to it when the status shows
/// <c>AwaitingPin</c> again (this PIN was wrong). The link just used never takes a PIN again.
/// </param>
public sealed record PinAcceptedResponse(string Id, Uri StatusQueryGetUri, Uri NextPinPostUri);
