using System.Text.Json;

namespace Workflow.Functions.CustomHandler;

/// <summary>One function of the package: its folder name and trigger.</summary>
/// <param name="Name">The function name (its folder).</param>
/// <param name="TriggerType"><c>httpTrigger</c> or <c>queueTrigger</c>.</param>
/// <param name="Route">HTTP: the route template (the host's <c>routePrefix</c> is empty, so this is the whole path).</param>
/// <param name="Methods">HTTP: the methods, upper case.</param>
/// <param name="AuthLevel">HTTP: the authorization level.</param>
/// <param name="QueueName">Queue: the queue name.</param>
/// <param name="Connection">Queue: the connection setting name.</param>
/// <param name="BindingName">The trigger binding's name (the key under <c>Data</c> in an invocation).</param>
public sealed record FunctionDefinition(
    string Name,
    string TriggerType,
    string? Route,
    IReadOnlyList<string> Methods,
    string? AuthLevel,
    string? QueueName,
    string? Connection,
    string BindingName);

/// <summary>Reads the <c>function.json</c> files of a Functions package (one folder per function).</summary>
public static class FunctionAppMetadata
{
    /// <summary>Reads every <c>&lt;folder&gt;/function.json</c> under <paramref name="root"/>.</summary>
    /// <param name="root">The package root (the folder of <c>host.json</c>) or the source folder of the function folders.</param>
    /// <returns>The functions, by name.</returns>
    /// <exception cref="FormatException">A function.json has no trigger binding.</exception>
    public static IReadOnlyList<FunctionDefinition> Load(string root)
    {
        var functions = new List<FunctionDefinition>();
        foreach (string folder in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
        {
            string file = Path.Combine(folder, "function.json");
            if (File.Exists(file))
            {
                functions.Add(Parse(Path.GetFileName(folder), File.ReadAllText(file)));
            }
        }

        return functions;
    }

    /// <summary>Parses one function.json.</summary>
    public static FunctionDefinition Parse(string name, string json)
    {
        using JsonDocument document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        foreach (JsonElement binding in document.RootElement.GetProperty("bindings").EnumerateArray())
        {
            string type = binding.GetProperty("type").GetString() ?? string.Empty;
            if (!type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            return new FunctionDefinition(
                name,
                type,
                Text(binding, "route"),
                binding.TryGetProperty("methods", out JsonElement methods) ? [.. methods.EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant())] : [],
                Text(binding, "authLevel"),
                Text(binding, "queueName"),
                Text(binding, "connection"),
                Text(binding, "name") ?? string.Empty);
        }

        throw new FormatException($"function.json of '{name}' has no trigger binding.");
    }

    private static string? Text(JsonElement element, string property)
        => element.TryGetProperty(property, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
