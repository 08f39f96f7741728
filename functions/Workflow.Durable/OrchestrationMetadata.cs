using System.Text.Json;

namespace Workflow.Durable;

/// <summary>A snapshot of an orchestration instance's state.</summary>
public sealed record OrchestrationMetadata
{
    /// <summary>The orchestrator name.</summary>
    public required string Name { get; init; }

    /// <summary>The instance id.</summary>
    public required string InstanceId { get; init; }

    /// <summary>The lifecycle state.</summary>
    public required OrchestrationRuntimeStatus RuntimeStatus { get; init; }

    /// <summary>When the instance was scheduled.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the instance last changed.</summary>
    public required DateTimeOffset LastUpdatedAt { get; init; }

    /// <summary>The input as JSON, when requested.</summary>
    public string? SerializedInput { get; init; }

    /// <summary>The output as JSON, when requested and finished.</summary>
    public string? SerializedOutput { get; init; }

    /// <summary>The last custom status as JSON.</summary>
    public string? SerializedCustomStatus { get; init; }

    /// <summary>Why the instance failed, when it did.</summary>
    public TaskFailureDetails? FailureDetails { get; init; }

    /// <summary>The history, oldest first, when requested.</summary>
    public IReadOnlyList<OrchestrationHistoryEvent>? History { get; init; }

    /// <summary>Whether the instance has finished (completed, failed or terminated).</summary>
    public bool IsCompleted => RuntimeStatus is OrchestrationRuntimeStatus.Completed
        or OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated;

    /// <summary>Deserializes the input.</summary>
    public T? ReadInputAs<T>(JsonSerializerOptions? options = null) => Read<T>(SerializedInput, options);

    /// <summary>Deserializes the output.</summary>
    public T? ReadOutputAs<T>(JsonSerializerOptions? options = null) => Read<T>(SerializedOutput, options);

    /// <summary>Deserializes the custom status.</summary>
    public T? ReadCustomStatusAs<T>(JsonSerializerOptions? options = null) => Read<T>(SerializedCustomStatus, options);

    private static T? Read<T>(string? json, JsonSerializerOptions? options)
        => json is null ? default : JsonSerializer.Deserialize<T>(json, options ?? JsonSerializerOptions.Web);
}
