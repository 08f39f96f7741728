using System.Text.Json;
using System.Text.Json.Serialization;

namespace Workflow.Durable.Storage;

/// <summary>The runtime's own serialization of messages and records (independent of the app's payload settings).</summary>
internal static class StorageJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };
}
