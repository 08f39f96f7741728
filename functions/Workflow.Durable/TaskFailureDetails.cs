namespace Workflow.Durable;

/// <summary>What went wrong in an activity or orchestration, as recorded in history.</summary>
/// <param name="ErrorType">The full name of the exception type.</param>
/// <param name="ErrorMessage">The exception message.</param>
/// <param name="StackTrace">The stack trace, when available.</param>
/// <param name="InnerFailure">The inner exception's details, when there was one.</param>
public sealed record TaskFailureDetails(
    string ErrorType,
    string ErrorMessage,
    string? StackTrace = null,
    TaskFailureDetails? InnerFailure = null)
{
    /// <summary>
    /// Captures an exception and its inner exceptions. For a <see cref="TaskFailedException"/> the inner
    /// failure is the activity's own failure, as in Durable Functions, so an orchestration that fails
    /// because an activity failed still says what went wrong in the activity.
    /// </summary>
    public static TaskFailureDetails FromException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        TaskFailureDetails? inner = exception switch
        {
            TaskFailedException taskFailed => taskFailed.FailureDetails,
            { InnerException: { } innerException } => FromException(innerException),
            _ => null,
        };
        return new TaskFailureDetails(
            exception.GetType().FullName ?? exception.GetType().Name,
            exception.Message,
            exception.StackTrace,
            inner);
    }

    /// <summary>Whether the failure was caused by an exception of type <typeparamref name="T"/> (or a subclass known by name).</summary>
    public bool IsCausedBy<T>() where T : Exception => ErrorType == typeof(T).FullName;
}
