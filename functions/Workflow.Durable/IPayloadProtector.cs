namespace Workflow.Durable;

/// <summary>
/// Transforms every payload the runtime persists (inputs, outputs, event data, custom status,
/// failure messages) before it reaches storage, and back when it is read. The default is the
/// identity; an application plugs in encryption here.
/// </summary>
public interface IPayloadProtector
{
    /// <summary>Protects a serialized payload for storage. The result must be a string that is safe in table properties and queue messages.</summary>
    ValueTask<string> ProtectAsync(string payload, CancellationToken cancellationToken);

    /// <summary>Reverses <see cref="ProtectAsync"/>. Throws when the data was tampered with or cannot be decrypted.</summary>
    ValueTask<string> UnprotectAsync(string protectedPayload, CancellationToken cancellationToken);
}
