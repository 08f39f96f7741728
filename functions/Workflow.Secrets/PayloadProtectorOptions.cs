namespace Workflow.Secrets;

/// <summary>Options of a <see cref="PayloadProtector"/>.</summary>
public sealed class PayloadProtectorOptions
{
    /// <summary>
    /// The secret that holds the data key (base64 of 32 random bytes). Defaults to
    /// <see cref="SecretNames.DataProtectionKey"/>. Envelopes name this secret, and only envelopes that name it
    /// are unprotected, so that a crafted envelope cannot make the protector use another secret as a key.
    /// </summary>
    public string KeySecretName { get; set; } = SecretNames.DataProtectionKey;
}
