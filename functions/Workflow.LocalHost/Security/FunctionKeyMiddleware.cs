using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Workflow.LocalHost.Security;

/// <summary>
/// Requires the function key on every <c>/api/*</c> request, as the Functions host does for the product's
/// <c>AuthorizationLevel.Function</c> triggers: the local host runs the same handlers without the Functions host.
/// </summary>
internal sealed class FunctionKeyMiddleware(RequestDelegate next, FunctionKeys keys)
{
    /// <summary>The header the Functions host reads the key from.</summary>
    public const string HeaderName = "x-functions-key";

    /// <summary>The query parameter the Functions host reads the key from.</summary>
    public const string QueryName = Workflow.Api.Commands.CommandRoutes.FunctionKeyQueryName;

    public static bool RequiresKey(PathString path)
        => path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase);

    public async Task InvokeAsync(HttpContext context)
    {
        if (!RequiresKey(context.Request.Path))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        string? presented = Single(context.Request.Headers[HeaderName]) ?? Single(context.Request.Query[QueryName]);
        if (presented is null)
        {
            await Reject(context, "Function key required",
                $"Send the function key in the {HeaderName} header or the {QueryName} query parameter.").ConfigureAwait(false);
            return;
        }

        if (!await keys.IsValidAsync(presented, context.RequestAborted).ConfigureAwait(false))
        {
            await Reject(context, "Invalid function key", "The function key is not valid for this app.").ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    }

    private static string? Single(StringValues values) => values.Count == 1 && !string.IsNullOrEmpty(values[0]) ? values[0] : null;

    private static Task Reject(HttpContext context, string title, string detail)
        => TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(context);
}
