using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Workflow.Functions.Management;
using Workflow.Functions.Security;

namespace Workflow.Functions.Commands;

/// <summary>
/// Builds the URIs the product API hands out. The management links are the management API's own
/// (<see cref="DurableTaskManagementPayload"/>), so both APIs always agree; all of them start from the
/// request's scheme and host, which <see cref="Hosting.PublicBaseUrlMiddleware"/> sets to the public
/// address behind the Functions host.
/// </summary>
internal static class CommandLinks
{
    public static CommandStartedResponse Started(HttpRequest request, string instanceId, string pinToken)
    {
        DurableTaskManagementPayload management = DurableTaskManagementPayload.Create(request, instanceId);
        string? code = Code(request);
        return new CommandStartedResponse(
            instanceId,
            Status(request, instanceId),
            new Uri(management.SendEventPostUri),
            new Uri(management.TerminatePostUri),
            new Uri(management.PurgeHistoryDeleteUri),
            new Uri(BaseUrl(request) + CommandEndpoints.GroupPrefix + "/" + Uri.EscapeDataString(instanceId) + "/pin?"
                + PinTokens.QueryName + "=" + Uri.EscapeDataString(pinToken) + (code is null ? string.Empty : "&" + code)));
    }

    public static Uri Status(HttpRequest request, string instanceId)
    {
        string? code = Code(request);
        return new Uri(BaseUrl(request) + CommandEndpoints.GroupPrefix + "/" + Uri.EscapeDataString(instanceId) + (code is null ? string.Empty : "?" + code));
    }

    // A caller that authenticated with ?code= gets URIs that work the same way (as Durable Functions does);
    // one that used the header gets URIs without the key, so the key is not copied into more places.
    private static string? Code(HttpRequest request)
    {
        StringValues code = request.Query[FunctionKeyMiddleware.QueryName];
        return code.Count == 1 && !string.IsNullOrEmpty(code[0]) ? FunctionKeyMiddleware.QueryName + "=" + Uri.EscapeDataString(code[0]!) : null;
    }

    private static string BaseUrl(HttpRequest request)
        => $"{request.Scheme}://{request.Host.ToUriComponent()}{request.PathBase.ToUriComponent()}";
}
