using System.Text.Json;
using Workflow.Secrets;

namespace Workflow.Api.Durable;

/// <summary>
/// Encrypts what the Durable engine stores: every payload becomes a JSON string holding an AES-256-GCM envelope under
/// the Key Vault data key (<see cref="PayloadProtector"/>: key id in the envelope, older key versions still readable
/// after a rotation). Text that is not an envelope is read as it is, so an operator's plain JSON (an event raised
/// through the Durable webhooks, an instance started before encryption) still works.
/// </summary>
/// <remarks>
/// Synchronous, because the engine's converters are: the data key is cached by the secret store after its first read
/// (<see cref="PayloadKeyWarmup"/> reads it at start-up), so the envelope work completes without waiting.
/// </remarks>
public sealed class PayloadEncryption(PayloadProtector protector)
{
    /// <summary>The envelope of <paramref name="json"/>, as a JSON string (what the engine then stores).</summary>
    public string Protect(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return JsonSerializer.Serialize(Wait(protector.ProtectAsync(json)));
    }

    /// <summary>The JSON inside <paramref name="stored"/> when it is an envelope (as <see cref="Protect"/> wrote it, or unquoted), else <paramref name="stored"/> itself.</summary>
    public string Unprotect(string stored)
    {
        ArgumentNullException.ThrowIfNull(stored);

        // The engine hands a payload back as written (a JSON string), or with that quoting already taken off (the
        // worker strips an activity's parameter array down to its element).
        string candidate = !PayloadProtector.IsProtected(stored) && IsJsonString(stored)
            ? JsonSerializer.Deserialize<string>(stored) ?? string.Empty
            : stored;
        return PayloadProtector.IsProtected(candidate) ? Wait(protector.UnprotectAsync(candidate)) : stored;
    }

    /// <summary>Reads the data key once, so that the first payload of the process does not wait for Key Vault.</summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken) => await protector.ProtectAsync(string.Empty, cancellationToken).ConfigureAwait(false);

    private static bool IsJsonString(string text) => text.Length > 1 && text[0] == '"' && text[^1] == '"';

    private static string Wait(ValueTask<string> pending)
        => pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
}
