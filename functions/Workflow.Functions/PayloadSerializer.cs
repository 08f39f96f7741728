using System.Text;
using Azure.Core.Serialization;
using Workflow.Api.Durable;

namespace Workflow.Functions;

/// <summary>
/// The worker serializer of the Functions app. Under the Functions host the Durable extension writes every payload
/// (inputs, outputs, event data, custom status) through the worker's serializer and ignores a <c>DataConverter</c>
/// service, so this is where the product's payload converter, encryption included, plugs in.
/// </summary>
internal sealed class PayloadSerializer(CommandPayloadConverter converter) : ObjectSerializer
{
    public override void Serialize(Stream stream, object? value, Type inputType, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        byte[] bytes = Encoding.UTF8.GetBytes(converter.Serialize(value) ?? "null");
        stream.Write(bytes);
    }

    public override async ValueTask SerializeAsync(Stream stream, object? value, Type inputType, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        byte[] bytes = Encoding.UTF8.GetBytes(converter.Serialize(value) ?? "null");
        await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
    }

    public override object? Deserialize(Stream stream, Type returnType, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, leaveOpen: true);
        return converter.Deserialize(reader.ReadToEnd(), returnType);
    }

    public override async ValueTask<object?> DeserializeAsync(Stream stream, Type returnType, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, leaveOpen: true);
        return converter.Deserialize(await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false), returnType);
    }
}
