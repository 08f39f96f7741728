using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Workflow.Api.Commands;

/// <summary>
/// Builds the URIs the product API hands out: from <see cref="CommandsApiOptions.PublicBaseUrl"/> when it is set,
/// relative otherwise. Nothing of the request's address goes into them.
/// </summary>
internal sealed class CommandLinks(IOptions<CommandsApiOptions> options)
{
    public Uri Status(HttpRequest request, string id) => Link(CommandRoutes.StatusPath(id), KeyQuery(request));

    public Uri Pin(HttpRequest request, string id, string pinToken)
    {
        string token = Security.PinTokens.QueryName + "=" + Uri.EscapeDataString(pinToken);
        return Link(CommandRoutes.PinPath(id), KeyQuery(request) is { } key ? token + "&" + key : token);
    }

    private Uri Link(string path, string? query)
    {
        string relative = query is null ? path : path + "?" + query;
        return options.Value.PublicBaseUrl is { } baseUrl
            ? new Uri(baseUrl.AbsoluteUri.TrimEnd('/') + relative, UriKind.Absolute)
            : new Uri(relative, UriKind.Relative);
    }

    // A caller that authenticated with ?code= gets URIs that work the same way (as Durable Functions does);
    // one that used the header gets URIs without the key, so the key is not copied into more places.
    private static string? KeyQuery(HttpRequest request)
    {
        StringValues code = request.Query[CommandRoutes.FunctionKeyQueryName];
        return code.Count == 1 && !string.IsNullOrEmpty(code[0]) ? CommandRoutes.FunctionKeyQueryName + "=" + Uri.EscapeDataString(code[0]!) : null;
    }
}
