using System.Text.Json;
using System.Text.Json.Serialization;

namespace Workflow.Functions.CustomHandler;

/// <summary>
/// What the Functions host posts to a custom handler for a non-HTTP trigger: <c>Data</c> holds the trigger
/// and input bindings by their <c>function.json</c> names, <c>Metadata</c> the trigger metadata
/// (for a queue trigger: <c>DequeueCount</c>, <c>Id</c>, <c>InsertionTime</c>, <c>PopReceipt</c>, <c>sys</c>...).
/// </summary>
/// <param name="Data">Binding values by name.</param>
/// <param name="Metadata">Trigger metadata by name.</param>
public sealed record InvocationRequest(
    [property: JsonPropertyName("Data")] IReadOnlyDictionary<string, JsonElement>? Data,
    [property: JsonPropertyName("Metadata")] IReadOnlyDictionary<string, JsonElement>? Metadata);

/// <summary>
/// What a custom handler answers: output binding values, log lines for the invocation log, and the
/// <c>$return</c> value. The queue-trigger functions here have no outputs.
/// </summary>
/// <param name="Outputs">Output binding values by name.</param>
/// <param name="Logs">Lines the host writes to the invocation's log (Application Insights in Azure).</param>
/// <param name="ReturnValue">The value of a <c>$return</c> binding; none here.</param>
public sealed record InvocationResponse(
    [property: JsonPropertyName("Outputs")] IReadOnlyDictionary<string, object?> Outputs,
    [property: JsonPropertyName("Logs")] IReadOnlyList<string> Logs,
    [property: JsonPropertyName("ReturnValue")] object? ReturnValue)
{
    /// <summary>A successful invocation without outputs.</summary>
    public static InvocationResponse Empty { get; } = new(new Dictionary<string, object?>(), [], null);

    /// <summary>A failed invocation: the log line says why.</summary>
    public static InvocationResponse Failed(string log) => new(new Dictionary<string, object?>(), [log], null);
}
