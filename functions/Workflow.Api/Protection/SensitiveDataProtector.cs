using Workflow.Secrets;
using Workflow.Vehicles;

namespace Workflow.Api.Protection;

/// <summary>
/// Seals the PIN and the OTP for the vehicle workflow with the same data key as durable payloads.
/// A sealed secret is an envelope the runtime then encrypts once more as part of its payload: the
/// workflow code only ever handles the sealed form, so a serialized input, event or log line cannot
/// carry the clear value by accident.
/// </summary>
internal sealed class SensitiveDataProtector(PayloadProtector protector) : ISensitiveDataProtector
{
    public ValueTask<string> SealAsync(string secret, CancellationToken cancellationToken)
        => protector.ProtectAsync(secret, cancellationToken);

    public ValueTask<string> UnsealAsync(string sealedSecret, CancellationToken cancellationToken)
        => protector.UnprotectAsync(sealedSecret, cancellationToken);
}
