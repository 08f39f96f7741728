namespace Workflow.Vehicles.Api;

/// <summary>
/// The gateway refused a request at the HTTP level in a way retrying will not fix (a 4xx other than
/// 408/429, an unreadable answer, rejected client credentials). Messages never quote request or
/// response bodies, which may hold a PIN or an OTP.
/// </summary>
public sealed class VehicleApiException : Exception
{
    /// <summary>Creates the exception.</summary>
    public VehicleApiException()
        : this("The vehicle API refused the request.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public VehicleApiException(string message)
        : this(message, statusCode: 0)
    {
    }

    /// <summary>Creates the exception.</summary>
    public VehicleApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened, without secrets.</param>
    /// <param name="statusCode">The HTTP status, or a status that stands for the problem (502 for an unreadable answer).</param>
    /// <param name="innerException">The cause, if any.</param>
    public VehicleApiException(string message, int statusCode, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
    }

    /// <summary>The HTTP status of the refusal (0 when unknown).</summary>
    public int StatusCode { get; }
}
