namespace Workflow.Durable;

/// <summary>
/// Untyped view of an activity, used by the runtime. Implement <see cref="TaskActivity{TInput, TOutput}"/> instead.
/// </summary>
public interface ITaskActivity
{
    /// <summary>The type the input is deserialized to.</summary>
    Type InputType { get; }

    /// <summary>Runs the activity with an already deserialized input.</summary>
    Task<object?> RunAsync(TaskActivityContext context, object? input);
}

/// <summary>
/// Base class for activities: the units of real work (I/O, calls to other services) that an
/// orchestration schedules. Delivery is at least once, so an activity must tolerate running again
/// for the same <see cref="TaskActivityContext.InstanceId"/> and <see cref="TaskActivityContext.TaskId"/>.
/// </summary>
/// <typeparam name="TInput">The activity input.</typeparam>
/// <typeparam name="TOutput">The activity output.</typeparam>
public abstract class TaskActivity<TInput, TOutput> : ITaskActivity
{
    /// <inheritdoc/>
    public Type InputType => typeof(TInput);

    /// <summary>Runs the activity.</summary>
    /// <param name="context">Identifies the invocation; carries the cancellation token.</param>
    /// <param name="input">The input the orchestration passed.</param>
    public abstract Task<TOutput> RunAsync(TaskActivityContext context, TInput input);

    async Task<object?> ITaskActivity.RunAsync(TaskActivityContext context, object? input)
        => await RunAsync(context, (TInput)input!).ConfigureAwait(false);
}
