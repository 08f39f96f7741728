namespace Workflow.Durable;

/// <summary>
/// Untyped view of an orchestrator, used by the runtime to run any registered orchestrator.
/// Implement <see cref="TaskOrchestrator{TInput, TOutput}"/> instead.
/// </summary>
public interface ITaskOrchestrator
{
    /// <summary>The type the input is deserialized to.</summary>
    Type InputType { get; }

    /// <summary>Runs the orchestrator with an already deserialized input.</summary>
    Task<object?> RunAsync(TaskOrchestrationContext context, object? input);
}

/// <summary>
/// Base class for orchestrators: deterministic code that schedules activities, timers and waits for
/// external events through <see cref="TaskOrchestrationContext"/>. The runtime replays it from its
/// history after every step, so it must not read clocks, random numbers, configuration or I/O
/// directly, must not use <c>ConfigureAwait(false)</c>, and may only await tasks that come from
/// the context.
/// </summary>
/// <typeparam name="TInput">The orchestration input.</typeparam>
/// <typeparam name="TOutput">The orchestration output.</typeparam>
public abstract class TaskOrchestrator<TInput, TOutput> : ITaskOrchestrator
{
    /// <inheritdoc/>
    public Type InputType => typeof(TInput);

    /// <summary>Runs the orchestration logic.</summary>
    /// <param name="context">The replay-aware orchestration context.</param>
    /// <param name="input">The input given when the instance was scheduled.</param>
    public abstract Task<TOutput> RunAsync(TaskOrchestrationContext context, TInput input);

    async Task<object?> ITaskOrchestrator.RunAsync(TaskOrchestrationContext context, object? input)
        => await RunAsync(context, (TInput)input!);
}
