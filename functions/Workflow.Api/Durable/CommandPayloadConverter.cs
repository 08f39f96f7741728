using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.DurableTask;

namespace Workflow.Api.Durable;

/// <summary>
/// How every payload of the workflow (inputs, outputs, event data, custom status) is written for the Durable
/// engine: JSON with camelCase names and enums as strings, the shape the product API shows. Both hosts register
/// this one converter, so an instance started by one reads the same under the other.
/// </summary>
public sealed class CommandPayloadConverter : DataConverter
{
    /// <summary>The serializer options of every payload.</summary>
    public static readonly JsonSerializerOptions SerializerOptions = CreateOptions();

    /// <inheritdoc/>
    public override string? Serialize(object? value) => value is null ? null : JsonSerializer.Serialize(value, value.GetType(), SerializerOptions);

    /// <inheritdoc/>
    public override object? Deserialize(string? data, Type targetType)
    {
        ArgumentNullException.ThrowIfNull(targetType);
        return data is null ? null : JsonSerializer.Deserialize(data, targetType, SerializerOptions);
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.Converters.Add(new JsonStringEnumConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
