using System.Text;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace Workflow.Functions.Management;

/// <summary>
/// The links a client needs to follow one orchestration instance, in the shape of Durable Functions'
/// <c>CreateHttpManagementPayload</c> (the body of a start response).
/// </summary>
/// <remarks>
/// <c>rewindPostUri</c>, <c>suspendPostUri</c> and <c>resumePostUri</c> are left out because the runtime
/// cannot rewind, suspend or resume; Durable Functions clients treat them as optional.
/// </remarks>
/// <param name="Id">The instance id.</param>
/// <param name="StatusQueryGetUri">GET: the instance's status.</param>
/// <param name="SendEventPostUri">POST: raise an event; replace <c>{eventName}</c>.</param>
/// <param name="TerminatePostUri">POST: terminate; replace <c>{text}</c> with the reason.</param>
/// <param name="PurgeHistoryDeleteUri">DELETE: purge the finished instance.</param>
public sealed record DurableTaskManagementPayload(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("statusQueryGetUri")] string StatusQueryGetUri,
    [property: JsonPropertyName("sendEventPostUri")] string SendEventPostUri,
    [property: JsonPropertyName("terminatePostUri")] string TerminatePostUri,
    [property: JsonPropertyName("purgeHistoryDeleteUri")] string PurgeHistoryDeleteUri)
{
    /// <summary>Where the management API lives, as in Durable Functions 2.x.</summary>
    public const string RoutePrefix = "/runtime/webhooks/durabletask";

    /// <summary>
    /// Builds the links for <paramref name="instanceId"/> from the scheme, host and path base of
    /// <paramref name="request"/>. The caller's <c>code</c> query parameter (its function key) is carried into
    /// every link, as Durable Functions does, so a client can follow them with the key it already used.
    /// </summary>
    /// <param name="request">The request being answered.</param>
    /// <param name="instanceId">The instance id.</param>
    public static DurableTaskManagementPayload Create(HttpRequest request, string instanceId)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);

        string instance = $"{BaseUri(request)}/instances/{Uri.EscapeDataString(instanceId)}";
        string code = request.Query["code"].ToString();
        string key = string.IsNullOrEmpty(code) ? string.Empty : "code=" + Uri.EscapeDataString(code);
        string onlyKey = key.Length == 0 ? string.Empty : "?" + key;
        string afterReason = key.Length == 0 ? string.Empty : "&" + key;

        // {eventName} and {text} are placeholders the client fills in, exactly as in Durable Functions' payload.
        return new DurableTaskManagementPayload(
            instanceId,
            instance + onlyKey,
            instance + "/raiseEvent/{eventName}" + onlyKey,
            instance + "/terminate?reason={text}" + afterReason,
            instance + onlyKey);
    }

    /// <summary>The absolute base of the management API for <paramref name="request"/> (no trailing slash).</summary>
    public static string BaseUri(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new StringBuilder()
            .Append(request.Scheme).Append("://").Append(request.Host.ToUriComponent())
            .Append(request.PathBase.ToUriComponent())
            .Append(RoutePrefix)
            .ToString();
    }
}
