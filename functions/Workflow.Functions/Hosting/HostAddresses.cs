using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Workflow.Functions.Hosting;

/// <summary>Where Kestrel listens: the Functions host's custom-handler port, or the Functions default 7071.</summary>
internal static class HostAddresses
{
    /// <summary>The environment variable the Functions host sets for a custom handler.</summary>
    public const string CustomHandlerPortVariable = "FUNCTIONS_CUSTOMHANDLER_PORT";

    /// <summary>The local address when nothing else is configured: the Functions default port, loopback only.</summary>
    public const string DefaultUrl = "http://127.0.0.1:7071";

    /// <summary>Whether the Functions host started this process (its custom-handler port is set).</summary>
    public static bool IsCustomHandler(WebApplicationBuilder builder)
        => !string.IsNullOrWhiteSpace(builder.Configuration[CustomHandlerPortVariable]);

    public static void Configure(WebApplicationBuilder builder)
    {
        string? port = builder.Configuration[CustomHandlerPortVariable];
        if (!string.IsNullOrWhiteSpace(port))
        {
            if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int number) || number is < 1 or > 65535)
            {
                throw new InvalidOperationException($"{CustomHandlerPortVariable} is '{port}', which is not a TCP port number.");
            }

            // The host talks to the handler over loopback; nothing else should reach it directly.
            builder.WebHost.UseUrls(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{number}"));

            // The host's queue triggers deliver the runtime's messages; in-process listeners would compete with them.
            builder.Configuration["DurableTask:UseQueueListeners"] = "false";
            return;
        }

        bool addressConfigured = !string.IsNullOrWhiteSpace(builder.Configuration["urls"])
            || !string.IsNullOrWhiteSpace(builder.Configuration["http_ports"])
            || builder.Configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();
        if (!addressConfigured)
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }
    }
}
