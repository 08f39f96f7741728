namespace Workflow.Durable;

/// <summary>
/// Declarative retry for activity calls. Waits between attempts are durable timers, so a retry
/// survives restarts and costs nothing while it waits.
/// </summary>
public sealed record RetryPolicy
{
    /// <summary>Creates a retry policy.</summary>
    /// <param name="maxNumberOfAttempts">Total attempts including the first one (at least 1).</param>
    /// <param name="firstRetryInterval">Wait before the second attempt (greater than zero).</param>
    /// <param name="backoffCoefficient">Multiplier applied to the wait after each attempt (at least 1).</param>
    /// <param name="maxRetryInterval">Upper bound of a single wait; defaults to one hour.</param>
    /// <param name="retryTimeout">Overall time budget for retries; defaults to unbounded.</param>
    public RetryPolicy(
        int maxNumberOfAttempts,
        TimeSpan firstRetryInterval,
        double backoffCoefficient = 1.0,
        TimeSpan? maxRetryInterval = null,
        TimeSpan? retryTimeout = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxNumberOfAttempts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(firstRetryInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(backoffCoefficient, 1.0);
        MaxNumberOfAttempts = maxNumberOfAttempts;
        FirstRetryInterval = firstRetryInterval;
        BackoffCoefficient = backoffCoefficient;
        MaxRetryInterval = maxRetryInterval ?? TimeSpan.FromHours(1);
        RetryTimeout = retryTimeout ?? Timeout.InfiniteTimeSpan;
    }

    /// <summary>Total attempts including the first one.</summary>
    public int MaxNumberOfAttempts { get; }

    /// <summary>Wait before the second attempt.</summary>
    public TimeSpan FirstRetryInterval { get; }

    /// <summary>Multiplier applied to the wait after each attempt.</summary>
    public double BackoffCoefficient { get; }

    /// <summary>Upper bound of a single wait.</summary>
    public TimeSpan MaxRetryInterval { get; }

    /// <summary>Overall time budget, or <see cref="Timeout.InfiniteTimeSpan"/>.</summary>
    public TimeSpan RetryTimeout { get; }

    /// <summary>
    /// Decides whether a failure is worth retrying; by default every failure is. Must be
    /// deterministic: it runs inside the orchestrator.
    /// </summary>
    public Func<TaskFailedException, bool> Handle { get; init; } = static _ => true;

    /// <summary>The wait before attempt <paramref name="nextAttempt"/> (2 for the first retry).</summary>
    public TimeSpan GetDelay(int nextAttempt)
    {
        double factor = Math.Pow(BackoffCoefficient, nextAttempt - 2);
        double ms = Math.Min(FirstRetryInterval.TotalMilliseconds * factor, MaxRetryInterval.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ms);
    }
}
