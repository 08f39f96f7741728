using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Workflow.Functions.Hosting;

/// <summary>
/// Makes the request's scheme and host the app's public address when one is known
/// (<see cref="FunctionHostOptions.PublicBaseUrl"/>, by default <c>https://$WEBSITE_HOSTNAME</c> in Azure).
/// Behind the Functions host the app sees requests on 127.0.0.1:&lt;handler port&gt;; the links both APIs
/// hand out are built from the request and must name the public address instead.
/// </summary>
internal sealed class PublicBaseUrlMiddleware(RequestDelegate next, IOptions<FunctionHostOptions> options)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (options.Value.PublicBaseUrl is { } publicUrl)
        {
            context.Request.Scheme = publicUrl.Scheme;
            context.Request.Host = publicUrl.IsDefaultPort ? new HostString(publicUrl.Host) : new HostString(publicUrl.Host, publicUrl.Port);
            string path = publicUrl.AbsolutePath.TrimEnd('/');
            if (path.Length > 0)
            {
                context.Request.PathBase = new PathString(path) + context.Request.PathBase;
            }
        }

        return next(context);
    }
}
