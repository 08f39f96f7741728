namespace Workflow.Durable;

/// <summary>The default protector: stores payloads as they are. Replace it to encrypt durable state.</summary>
public sealed class IdentityPayloadProtector : IPayloadProtector
{
    /// <inheritdoc/>
    public ValueTask<string> ProtectAsync(string payload, CancellationToken cancellationToken) => ValueTask.FromResult(payload);

    /// <inheritdoc/>
    public ValueTask<string> UnprotectAsync(string protectedPayload, CancellationToken cancellationToken) => ValueTask.FromResult(protectedPayload);
}
