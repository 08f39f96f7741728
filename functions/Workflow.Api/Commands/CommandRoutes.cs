namespace Workflow.Api.Commands;

/// <summary>
/// The product API's routes, one owner for both hosts: the Functions app's triggers use the templates under its
/// route prefix (host.json <c>extensions.http.routePrefix</c>), the local host maps the same paths.
/// </summary>
public static class CommandRoutes
{
    /// <summary>The query parameter the Functions host reads the function key from (besides the <c>x-functions-key</c> header).</summary>
    public const string FunctionKeyQueryName = "code";

    /// <summary>The Functions route prefix, as host.json sets it.</summary>
    public const string Prefix = "api";

    /// <summary><c>POST</c>: start a command.</summary>
    public const string Start = "commands";

    /// <summary><c>GET</c>: a command's status.</summary>
    public const string Status = "commands/{id}";

    /// <summary><c>POST</c>: a command's PIN.</summary>
    public const string Pin = "commands/{id}/pin";

    /// <summary>Every route with its method, for error messages that tell a caller what the API does take.</summary>
    public const string Summary = $"POST /{Prefix}/{Start}, GET /{Prefix}/{Status}, POST /{Prefix}/{Pin}?token=…";

    /// <summary>The path of a command's status.</summary>
    public static string StatusPath(string id) => $"/{Prefix}/{Start}/{Uri.EscapeDataString(id)}";

    /// <summary>The path of a command's PIN.</summary>
    public static string PinPath(string id) => StatusPath(id) + "/pin";
}
