using Microsoft.DurableTask;

namespace Workflow.Vehicles.Api;

/// <summary>
/// The gateway could not be reached or answered 5xx, 408 or 429, even after the HTTP client's quick
/// retries, or answered FAILED with a transient code (<see cref="VehicleApiCodes.IsTransient"/>). Activities let it escape so the orchestration's durable retry policy, which handles only
/// this type, tries again later. Messages never quote request or response bodies.
/// </summary>
public sealed class VehicleApiTransientException : Exception
{
    /// <summary>Creates the exception.</summary>
    public VehicleApiTransientException()
        : this("The vehicle API is temporarily unavailable.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public VehicleApiTransientException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public VehicleApiTransientException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened, without secrets.</param>
    /// <param name="statusCode">The HTTP status, or 0 for a timeout or a connection error.</param>
    /// <param name="innerException">The cause, if any.</param>
    public VehicleApiTransientException(string message, int statusCode, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
    }

    /// <summary>The HTTP status (0 for a timeout or a connection error, 200 for a FAILED answer with a transient code).</summary>
    public int StatusCode { get; }

    /// <summary>The transient pims code (2201, 2202, 2204, 2314, 2377) when the gateway answered one; <c>null</c> for an HTTP-level failure.</summary>
    public int? ErrorCode { get; init; }

    /// <summary>
    /// Whether an activity failed because of this exception: the one rule the orchestration's durable retries
    /// and its give-up handling share.
    /// </summary>
    /// <remarks>
    /// By type when the failure's type can be loaded, otherwise by its full name: a host may report the
    /// failure of a task it ran in another process with the type's name only.
    /// </remarks>
    public static bool IsCause(TaskFailureDetails failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return failure.IsCausedBy<VehicleApiTransientException>()
            || string.Equals(failure.ErrorType, typeof(VehicleApiTransientException).FullName, StringComparison.Ordinal)
            || (failure.InnerFailure is { } inner && IsCause(inner));
    }
}
