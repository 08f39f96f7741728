namespace Workflow.Durable;

/// <summary>Options for one scheduled activity call.</summary>
/// <param name="Retry">The retry policy, or <c>null</c> to fail on the first failure.</param>
public sealed record TaskOptions(RetryPolicy? Retry = null)
{
    /// <summary>Creates options that retry according to <paramref name="policy"/>.</summary>
    public static TaskOptions FromRetryPolicy(RetryPolicy policy) => new(policy);
}
