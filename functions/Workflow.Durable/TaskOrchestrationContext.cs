using Microsoft.Extensions.Logging;

namespace Workflow.Durable;

/// <summary>
/// The orchestrator's only window on the world. Every method is recorded in the instance history
/// and replayed deterministically, so an orchestrator that only talks to the world through this
/// context can be unloaded and resumed at any await.
/// </summary>
public abstract class TaskOrchestrationContext
{
    /// <summary>The name the orchestrator was registered and scheduled with.</summary>
    public abstract string Name { get; }

    /// <summary>The instance id.</summary>
    public abstract string InstanceId { get; }

    /// <summary>
    /// The current time as recorded in history: the same value on every replay of the same step.
    /// Use it instead of the system clock.
    /// </summary>
    public abstract DateTime CurrentUtcDateTime { get; }

    /// <summary><c>true</c> while the orchestrator is re-running steps already in history.</summary>
    public abstract bool IsReplaying { get; }

    /// <summary>Schedules an activity and returns its result.</summary>
    /// <typeparam name="TResult">The activity's output type.</typeparam>
    /// <param name="name">The registered activity name.</param>
    /// <param name="input">Its input (serialized to JSON).</param>
    /// <param name="options">Optional retry policy.</param>
    /// <exception cref="TaskFailedException">The activity failed (after any retries).</exception>
    public abstract Task<TResult> CallActivityAsync<TResult>(string name, object? input = null, TaskOptions? options = null);

    /// <summary>Schedules an activity that returns nothing useful.</summary>
    public Task CallActivityAsync(string name, object? input = null, TaskOptions? options = null)
        => CallActivityAsync<object?>(name, input, options);

    /// <summary>Creates a durable timer that fires at <paramref name="fireAt"/> (UTC).</summary>
    /// <param name="fireAt">When the timer fires.</param>
    /// <param name="cancellationToken">Cancels the wait (the timer message still fires later and is ignored).</param>
    public abstract Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken);

    /// <summary>Creates a durable timer that fires after <paramref name="delay"/>.</summary>
    public Task CreateTimer(TimeSpan delay, CancellationToken cancellationToken)
        => CreateTimer(CurrentUtcDateTime.Add(delay), cancellationToken);

    /// <summary>
    /// Waits for an external event raised with <see cref="DurableTaskClient.RaiseEventAsync"/>.
    /// Events raised before the wait are buffered and delivered in order. Names are case-insensitive.
    /// </summary>
    /// <param name="eventName">The event name.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public abstract Task<T> WaitForExternalEvent<T>(string eventName, CancellationToken cancellationToken = default);

    /// <summary>Waits for an external event, for at most <paramref name="timeout"/>.</summary>
    /// <exception cref="TaskCanceledException">The timeout expired before the event arrived.</exception>
    public abstract Task<T> WaitForExternalEvent<T>(string eventName, TimeSpan timeout);

    /// <summary>
    /// Publishes a progress value (serialized to JSON) that clients see in
    /// <see cref="OrchestrationMetadata.SerializedCustomStatus"/>. Committed with the current step.
    /// </summary>
    public abstract void SetCustomStatus(object? customStatus);

    /// <summary>Creates a new GUID that is the same on every replay.</summary>
    public abstract Guid NewGuid();

    /// <summary>Wraps <paramref name="logger"/> so that it only writes when the orchestrator is not replaying.</summary>
    public ILogger CreateReplaySafeLogger(ILogger logger) => new ReplaySafeLogger(this, logger);

    private sealed class ReplaySafeLogger(TaskOrchestrationContext context, ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => !context.IsReplaying && inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!context.IsReplaying)
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
