namespace Workflow.Secrets;

/// <summary>
/// Thrown by <see cref="PayloadProtector"/> when a payload cannot be protected or unprotected: a malformed,
/// truncated or tampered envelope, a key version the secret store does not have, or a data key of the wrong
/// size. The message never contains the payload or the key.
/// </summary>
public sealed class PayloadProtectionException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public PayloadProtectionException()
        : base("The payload could not be protected or unprotected.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What failed and what to do about it.</param>
    public PayloadProtectionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying failure.</summary>
    /// <param name="message">What failed and what to do about it.</param>
    /// <param name="innerException">The underlying failure.</param>
    public PayloadProtectionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
