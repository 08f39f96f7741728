using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Workflow.Functions.Hosting;

/// <summary>How the app sits behind (or without) the Functions host. Configuration section <c>Functions</c>.</summary>
public sealed class FunctionHostOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Functions";

    /// <summary>
    /// The public base URL (scheme, host, optional path) used in the URIs the API hands out
    /// (<c>statusQueryGetUri</c>, <c>pinPostUri</c>...). Defaults to <c>https://$WEBSITE_HOSTNAME</c> in Azure,
    /// else to the scheme and host of each request.
    /// </summary>
    public Uri? PublicBaseUrl { get; set; }

    /// <summary>
    /// Serve the custom-handler invocation endpoints (<c>POST /{FunctionName}</c>) that the Functions host
    /// calls for queue triggers. Defaults to on under the Functions host
    /// (<c>FUNCTIONS_CUSTOMHANDLER_PORT</c> set) and off otherwise, where the in-process queue listeners
    /// do that work and nobody should be able to inject runtime messages over HTTP.
    /// </summary>
    public bool ServeInvocations { get; set; }

    /// <summary>
    /// The function key callers present (<c>x-functions-key</c> header or <c>code</c> query parameter): the
    /// Functions host's default key. Environment variable / app setting <c>Functions__DefaultKey</c>. When it is
    /// not set, the app reads the Key Vault secret <c>functions-default-key</c>; in Development without either it
    /// uses the documented local key <c>local-dev-key</c>, and anywhere else it refuses to start.
    /// </summary>
    public string? DefaultKey { get; set; }

    internal static bool ReadServeInvocations(IConfiguration configuration)
        => configuration.GetValue<bool?>($"{SectionName}:{nameof(ServeInvocations)}")
            ?? !string.IsNullOrWhiteSpace(configuration[HostAddresses.CustomHandlerPortVariable]);

    internal static void Register(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<FunctionHostOptions>()
            .Configure(o =>
            {
                // App Service and Functions set WEBSITE_HOSTNAME to the app's default host name.
                string? hostName = configuration["WEBSITE_HOSTNAME"];
                if (!string.IsNullOrWhiteSpace(hostName))
                {
                    o.PublicBaseUrl = new Uri("https://" + hostName.Trim());
                }

                o.ServeInvocations = ReadServeInvocations(configuration);
            })
            .Bind(configuration.GetSection(SectionName))
            .Validate(
                o => o.PublicBaseUrl is null || (o.PublicBaseUrl.IsAbsoluteUri && (o.PublicBaseUrl.Scheme == Uri.UriSchemeHttp || o.PublicBaseUrl.Scheme == Uri.UriSchemeHttps)),
                "Functions:PublicBaseUrl must be an absolute http or https URL, for example https://func-vcmd-abc.azurewebsites.net.")
            .ValidateOnStart();
    }
}
