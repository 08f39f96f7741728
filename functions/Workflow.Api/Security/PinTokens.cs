using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Workflow.Secrets;

namespace Workflow.Api.Security;

/// <summary>
/// The per-command token carried in <c>pinPostUri</c>: only whoever started a command (and so received that URI,
/// once, in the response that created it) can submit its PIN, even among callers who share the function key.
/// </summary>
/// <remarks>
/// <para>
/// Token: <c>&lt;keyVersion&gt;.&lt;base64url(HMAC-SHA256(K, instanceId "\n" createdTicks))&gt;</c>, where K is derived
/// with HKDF from that version of the data-protection key (a dedicated derivation, so the token never reveals anything
/// about the encryption key itself). It is unguessable without the key and bound to one execution of one instance: a
/// command started again under a purged id has another creation time, so the old token does not work for it.
/// </para>
/// <para>
/// The key version is in the token so that rotating the data key does not invalidate the URIs of commands
/// already waiting for a PIN: older versions stay readable, exactly as for encrypted payloads.
/// </para>
/// </remarks>
internal sealed class PinTokens(ISecretStore secrets, PayloadProtector protector)
{
    /// <summary>The query parameter of <c>pinPostUri</c> that carries the token.</summary>
    public const string QueryName = "token";

    private const int MacSizeBytes = 32;
    private static readonly byte[] DerivationInfo = Encoding.ASCII.GetBytes("Workflow.Functions/pin-token/v1");

    /// <summary>Creates the token of the execution of <paramref name="instanceId"/> created at <paramref name="createdAt"/>, with the current data key.</summary>
    public async ValueTask<string> CreateAsync(string instanceId, DateTimeOffset createdAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        SecretValue key = await secrets.GetSecretAsync(protector.KeySecretName, null, cancellationToken).ConfigureAwait(false);
        return key.Version + "." + Base64Url.EncodeToString(Mac(key, instanceId, createdAt));
    }

    /// <summary>Whether <paramref name="token"/> has the shape of a token (no key needed): a cheap first check.</summary>
    public static bool IsWellFormed([NotNullWhen(true)] string? token) => token is { Length: > 0 and <= 200 } && token.LastIndexOf('.') > 0;

    /// <summary>Whether <paramref name="token"/> is the token of that execution of <paramref name="instanceId"/>; constant-time on the MAC.</summary>
    public async ValueTask<bool> IsValidAsync(string instanceId, DateTimeOffset createdAt, string? token, CancellationToken cancellationToken)
    {
        if (!IsWellFormed(token))
        {
            return false;
        }

        int dot = token.LastIndexOf('.');
        string version = dot > 0 ? token[..dot] : string.Empty;

        // The version goes into a Key Vault request path: accept only what Key Vault versions look like.
        if (version.Length is 0 or > 64 || !version.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            return false;
        }

        byte[] presented = new byte[MacSizeBytes];
        if (!Base64Url.IsValid(token.AsSpan(dot + 1), out int length) || length != MacSizeBytes
            || Base64Url.DecodeFromChars(token.AsSpan(dot + 1), presented, out _, out int written) != System.Buffers.OperationStatus.Done
            || written != MacSizeBytes)
        {
            return false;
        }

        SecretValue key;
        try
        {
            key = await secrets.GetSecretAsync(protector.KeySecretName, version, cancellationToken).ConfigureAwait(false);
        }
        catch (SecretNotFoundException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(presented, Mac(key, instanceId, createdAt));
    }

    private static byte[] Mac(SecretValue key, string instanceId, DateTimeOffset createdAt)
    {
        byte[] ikm = Convert.FromBase64String(key.Value);
        byte[] derived = HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, MacSizeBytes, salt: null, info: DerivationInfo);
        try
        {
            return HMACSHA256.HashData(derived, Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{instanceId}\n{createdAt.UtcTicks}")));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ikm);
            CryptographicOperations.ZeroMemory(derived);
        }
    }
}
