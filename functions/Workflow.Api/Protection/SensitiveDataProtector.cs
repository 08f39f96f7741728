using Workflow.Secrets;
using Workflow.Vehicles;

namespace Workflow.Api.Protection;

/// <summary>
/// Seals the PIN and the OTP for the vehicle workflow with the app's data key (AES-256-GCM, <see cref="PayloadProtector"/>).
/// The workflow code only ever handles the sealed form, so a serialized input, event or log line cannot carry the
/// clear value by accident.
/// </summary>
public sealed class SensitiveDataProtector(PayloadProtector protector) : ISensitiveDataProtector
{
    /// <inheritdoc/>
    public ValueTask<string> SealAsync(string secret, CancellationToken cancellationToken)
        => protector.ProtectAsync(secret, cancellationToken);

    /// <inheritdoc/>
    public async ValueTask<string> UnsealAsync(string sealedSecret, CancellationToken cancellationToken)
    {
        try
        {
            return await protector.UnprotectAsync(sealedSecret, cancellationToken).ConfigureAwait(false);
        }
        catch (PayloadProtectionException ex) when (ex.InnerException is not SecretNotFoundException)
        {
            // Malformed or altered: the submission's fault. A key the store does not have is the host's (escapes as is).
            throw new SealedSecretRejectedException("The value is not a secret sealed by this app (malformed or altered).", ex);
        }
    }
}
