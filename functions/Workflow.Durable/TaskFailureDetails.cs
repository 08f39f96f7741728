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
    /// <summary>Captures an exception and its inner exceptions.</summary>
    public static TaskFailureDetails FromException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return new TaskFailureDetails(
            exception.GetType().FullName ?? exception.GetType().Name,
            exception.Message,
            exception.StackTrace,
            exception.InnerException is { } inner ? FromException(inner) : null);
    }

    /// <summary>Whether the failure was caused by an exception of type <typeparamref name="T"/> (or a subclass known by name).</summary>
    public bool IsCausedBy<T>() where T : Exception => ErrorType == typeof(T).FullName;
}
