using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Workflow.Vehicles;

namespace Workflow.Api.Commands;

/// <summary>Reads a vehicle command's instance back: the one place that knows how its metadata looks under either host.</summary>
internal static class CommandReader
{
    /// <summary>The command with its input and output, or <c>null</c> when <paramref name="id"/> names no vehicle command.</summary>
    public static async Task<OrchestrationMetadata?> FindAsync(DurableTaskClient client, string id, CancellationToken cancellationToken)
    {
        OrchestrationMetadata? metadata = CommandIds.IsValid(id)
            ? await client.GetInstanceAsync(id, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false)
            : null;
        return metadata is not null && IsVehicleCommand(metadata) ? metadata : null;
    }

    public static bool IsVehicleCommand(OrchestrationMetadata metadata)
        => string.Equals(metadata.Name, VehicleCommandNames.Orchestrator, StringComparison.OrdinalIgnoreCase);

    /// <summary>The command's input (read with <see cref="FindAsync"/>), or <c>null</c> when it has none this product reads.</summary>
    public static VehicleCommandInput? ReadInput(OrchestrationMetadata metadata)
    {
        try
        {
            return metadata.ReadInputAs<VehicleCommandInput>();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The custom status, when the command publishes one.</summary>
    public static VehicleCommandStatus? ReadStatus(OrchestrationMetadata metadata)
    {
        try
        {
            return metadata.ReadCustomStatusAs<VehicleCommandStatus>();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The custom status as the caller sees it: in clear (the engine stores it encrypted).</summary>
    public static JsonElement? ReadCustomStatus(OrchestrationMetadata metadata) => ReadPayload(metadata.SerializedCustomStatus, metadata.ReadCustomStatusAs<JsonElement?>);

    /// <summary>The output as the caller sees it: in clear.</summary>
    public static JsonElement? ReadOutput(OrchestrationMetadata metadata) => ReadPayload(metadata.SerializedOutput, metadata.ReadOutputAs<JsonElement?>);

    /// <summary>
    /// Why the orchestration failed. Through the sidecar the engine reports failure details; the Durable extension
    /// instead leaves them out and stores the failure as the output's text (<c>"System.ArgumentException: …"</c>).
    /// </summary>
    public static CommandFailure? ReadFailure(OrchestrationMetadata metadata)
    {
        if (metadata.FailureDetails is { } details)
        {
            return new CommandFailure(details.ErrorType, details.ErrorMessage);
        }

        if (metadata.RuntimeStatus != OrchestrationRuntimeStatus.Failed || string.IsNullOrEmpty(metadata.SerializedOutput))
        {
            return null;
        }

        string text = ReadOutput(metadata) is { ValueKind: JsonValueKind.String } output ? output.GetString()! : metadata.SerializedOutput;
        int colon = text.IndexOf(": ", StringComparison.Ordinal);
        bool typed = colon > 0 && text[..colon].All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '+');
        return typed ? new CommandFailure(text[..colon], text[(colon + 2)..]) : new CommandFailure(string.Empty, text);
    }

    // Through the engine's converter (which decrypts); a payload that is not JSON (a failure's text) as a JSON string.
    private static JsonElement? ReadPayload(string? stored, Func<JsonElement?> read)
    {
        if (string.IsNullOrEmpty(stored))
        {
            return null;
        }

        try
        {
            return read() is { ValueKind: not JsonValueKind.Null } value ? value : null;
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(stored);
        }
    }
}
