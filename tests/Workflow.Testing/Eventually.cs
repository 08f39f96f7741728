namespace Workflow.Testing;

/// <summary>Polling with a deadline: the only way tests wait for something asynchronous.</summary>
public static class Eventually
{
    /// <summary>Default deadline for a condition that should hold within a few steps.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Polls <paramref name="probe"/> until it returns a non-null value, or fails the test at the deadline.</summary>
    public static async Task<T> GetAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? timeout = null) where T : class
    {
        ArgumentNullException.ThrowIfNull(probe);
        DateTime deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        TimeSpan pause = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            if (await probe().ConfigureAwait(false) is { } value)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout ?? DefaultTimeout} waiting for {what}.");
            }

            await Task.Delay(pause).ConfigureAwait(false);
            pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 2, 500));
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds, or fails the test at the deadline.</summary>
    public static Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return GetAsync(async () => await condition().ConfigureAwait(false) ? new object() : null, what, timeout);
    }
}
