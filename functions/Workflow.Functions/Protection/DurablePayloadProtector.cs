using Workflow.Durable;
using Workflow.Secrets;

namespace Workflow.Functions.Protection;

/// <summary>
/// Plugs the app's AES-256-GCM <see cref="PayloadProtector"/> (data key in Key Vault) into the durable
/// runtime, so every input, output, event, custom status and failure message is encrypted at rest.
/// </summary>
internal sealed class DurablePayloadProtector(PayloadProtector protector) : IPayloadProtector
{
    public ValueTask<string> ProtectAsync(string payload, CancellationToken cancellationToken)
        => protector.ProtectAsync(payload, cancellationToken);

    public ValueTask<string> UnprotectAsync(string protectedPayload, CancellationToken cancellationToken)
        => protector.UnprotectAsync(protectedPayload, cancellationToken);
}
