namespace Workflow.Vehicles;

/// <summary>
/// Thrown by <see cref="ISensitiveDataProtector.UnsealAsync"/> when the text given to it is not a secret this app
/// sealed (malformed, altered): the submission's fault, not the host's. Any other exception from a protector is a host
/// problem (a data key that cannot be read, say) and fails the command instead of counting against the user.
/// </summary>
public sealed class SealedSecretRejectedException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public SealedSecretRejectedException()
        : base("The value is not a secret sealed by this app.")
    {
    }

    /// <summary>Creates the exception with a message that never quotes the value.</summary>
    public SealedSecretRejectedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message that never quotes the value, and its cause.</summary>
    public SealedSecretRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
