using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.DurableTask;

namespace Workflow.Api.Durable;

/// <summary>
/// How every payload of the workflow (inputs, outputs, event data, custom status) is written for the Durable engine:
/// JSON with camelCase names and enums as strings, the shape the product API shows, encrypted
/// (<see cref="PayloadEncryption"/>) so it is ciphertext at rest. Both hosts use it: the local host as its
/// <see cref="DataConverter"/>, the Functions app through its worker serializer.
/// </summary>
public sealed class CommandPayloadConverter(PayloadEncryption encryption) : DataConverter
{
    /// <summary>The serializer options of every payload.</summary>
    public static readonly JsonSerializerOptions SerializerOptions = CreateOptions();

    /// <inheritdoc/>
    /// <remarks>
    /// An activity's parameters arrive as an array, which the engine must still see as a JSON array (the Durable
    /// extension reads it as one, and the worker strips its brackets before reading a parameter back): each parameter
    /// is encrypted on its own inside it.
    /// </remarks>
    public override string? Serialize(object? value) => value switch
    {
        null => null,
        object?[] parameters => "[" + string.Join(",", parameters.Select(p => Serialize(p) ?? "null")) + "]",
        _ => encryption.Protect(JsonSerializer.Serialize(value, value.GetType(), SerializerOptions)),
    };

    /// <inheritdoc/>
    public override object? Deserialize(string? data, Type targetType)
    {
        ArgumentNullException.ThrowIfNull(targetType);
        if (data is null)
        {
            return null;
        }

        return JsonSerializer.Deserialize(encryption.Unprotect(data), targetType, SerializerOptions);
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.Converters.Add(new JsonStringEnumConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
