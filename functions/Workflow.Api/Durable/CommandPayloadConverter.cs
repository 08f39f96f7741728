using System.Collections;
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
    public override string? Serialize(object? value)
        => value is null ? null : encryption.Protect(JsonSerializer.Serialize(value, value.GetType(), SerializerOptions));

    /// <inheritdoc/>
    public override object? Deserialize(string? data, Type targetType)
    {
        ArgumentNullException.ThrowIfNull(targetType);
        if (data is null)
        {
            return null;
        }

        string json = encryption.Unprotect(data);

        // An activity's input is written as a one-element array of its parameters, and the worker strips the brackets
        // from what it reads back: from the envelope's text, which has none. So the array is inside, and unwrapped here.
        if (!ReferenceEquals(json, data) && json.StartsWith('[') && !typeof(IEnumerable).IsAssignableFrom(targetType))
        {
            using JsonDocument parameters = JsonDocument.Parse(json);
            if (parameters.RootElement is { ValueKind: JsonValueKind.Array } array && array.GetArrayLength() == 1)
            {
                return array[0].Deserialize(targetType, SerializerOptions);
            }
        }

        return JsonSerializer.Deserialize(json, targetType, SerializerOptions);
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.Converters.Add(new JsonStringEnumConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
