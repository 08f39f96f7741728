using System.Collections.Concurrent;
using Microsoft.DurableTask;
using Workflow.Api.Durable;

namespace Workflow.Vehicles.Tests.Infrastructure;

/// <summary>
/// The product's <see cref="CommandPayloadConverter"/>, keeping a copy of every payload it writes or reads: the
/// orchestration inputs and outputs, activity inputs and outputs, event data and custom status, exactly as the engine
/// stores them in history (ciphertext), and of the JSON it encrypted. (The in-memory test host serves no history to the
/// client, so this is where a test reads it.)
/// </summary>
internal sealed class RecordingDataConverter(PayloadEncryption encryption) : DataConverter
{
    private readonly CommandPayloadConverter _inner = new(encryption);
    private readonly ConcurrentQueue<string> _payloads = new();
    private readonly ConcurrentQueue<string> _clear = new();

    /// <summary>Every payload as the engine stores it, oldest first.</summary>
    public IReadOnlyList<string> Payloads => [.. _payloads];

    /// <summary>Every payload written, as the JSON before encryption.</summary>
    public IReadOnlyList<string> ClearPayloads => [.. _clear];

    /// <inheritdoc/>
    public override string? Serialize(object? value)
    {
        if (value is not null)
        {
            _clear.Enqueue(System.Text.Json.JsonSerializer.Serialize(value, value.GetType(), CommandPayloadConverter.SerializerOptions));
        }

        string? data = _inner.Serialize(value);
        Record(data);
        return data;
    }

    /// <inheritdoc/>
    public override object? Deserialize(string? data, Type targetType)
    {
        Record(data);
        return _inner.Deserialize(data, targetType);
    }

    private void Record(string? data)
    {
        if (data is not null)
        {
            _payloads.Enqueue(data);
        }
    }
}
