using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Workflow.Secrets;

namespace Workflow.Api.Security;

/// <summary>
/// The token carried in a PIN link: only whoever started a command can submit its PIN, even among callers who share the
/// function key, and each link takes the PIN of one PIN round. The first round's link is in the response that created
/// the command, and nowhere else; each next round's link is in the answer to the previous round's PIN.
/// </summary>
/// <remarks>
/// <para>
/// Token: <c>&lt;keyVersion&gt;.&lt;round&gt;.&lt;base64url(HMAC-SHA256(K, instanceId "\n" executionId "\n" round))&gt;</c>,
/// where K is derived with HKDF from that version of the data-protection key (a dedicated derivation, so the token
/// never reveals anything about the encryption key itself). It is unguessable without the key and bound to one round
/// of one execution of one instance: a command started again under a purged id has another execution id, so an old
/// token does not work for it. The round is in clear so that a late or early link can be told apart from a forged one.
/// </para>
/// <para>
/// The key version is in the token so that rotating the data key does not invalidate the links of commands
/// already waiting for a PIN: older versions stay readable, exactly as for encrypted payloads.
/// </para>
/// </remarks>
internal sealed class PinTokens(ISecretStore secrets, PayloadProtector protector)
{
    /// <summary>The query parameter of a PIN link that carries the token.</summary>
    public const string QueryName = "token";

    private const int MacSizeBytes = 32;
    private const int MaxRound = 9999;
    private static readonly byte[] DerivationInfo = Encoding.ASCII.GetBytes("Workflow.Functions/pin-token/v2");

    /// <summary>Creates the token of PIN round <paramref name="round"/> of execution <paramref name="executionId"/> of <paramref name="instanceId"/>, with the current data key.</summary>
    public async ValueTask<string> CreateAsync(string instanceId, Guid executionId, int round, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        ArgumentOutOfRangeException.ThrowIfLessThan(round, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(round, MaxRound);
        SecretValue key = await secrets.GetSecretAsync(protector.KeySecretName, null, cancellationToken).ConfigureAwait(false);
        return string.Create(CultureInfo.InvariantCulture, $"{key.Version}.{round}.") + Base64Url.EncodeToString(Mac(key, instanceId, executionId, round));
    }

    /// <summary>Whether <paramref name="token"/> has the shape of a token (no key needed): a cheap first check.</summary>
    public static bool IsWellFormed([NotNullWhen(true)] string? token) => token is { Length: > 0 and <= 200 } && Parse(token) is not null;

    /// <summary>
    /// The PIN round <paramref name="token"/> was issued for, when it is a token of execution <paramref name="executionId"/>
    /// of <paramref name="instanceId"/>; <c>null</c> when it is not (forged, another command's, another execution's).
    /// Constant-time on the MAC.
    /// </summary>
    public async ValueTask<int?> FindRoundAsync(string instanceId, Guid executionId, string? token, CancellationToken cancellationToken)
    {
        if (token is null || Parse(token) is not var (version, round, mac))
        {
            return null;
        }

        SecretValue key;
        try
        {
            key = await secrets.GetSecretAsync(protector.KeySecretName, version, cancellationToken).ConfigureAwait(false);
        }
        catch (SecretNotFoundException)
        {
            return null;
        }

        return CryptographicOperations.FixedTimeEquals(mac, Mac(key, instanceId, executionId, round)) ? round : null;
    }

    private static (string Version, int Round, byte[] Mac)? Parse(string token)
    {
        string[] parts = token.Length <= 200 ? token.Split('.') : [];
        if (parts.Length != 3)
        {
            return null;
        }

        // The version goes into a Key Vault request path: accept only what Key Vault versions look like.
        string version = parts[0];
        if (version.Length is 0 or > 64 || !version.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            return null;
        }

        if (parts[1] is not { Length: > 0 and <= 4 } digits || !digits.All(char.IsAsciiDigit) || digits[0] == '0')
        {
            return null;
        }

        byte[] mac = new byte[MacSizeBytes];
        if (!Base64Url.IsValid(parts[2], out int length) || length != MacSizeBytes
            || Base64Url.DecodeFromChars(parts[2], mac, out _, out int written) != System.Buffers.OperationStatus.Done
            || written != MacSizeBytes)
        {
            return null;
        }

        return (version, int.Parse(digits, CultureInfo.InvariantCulture), mac);
    }

    private static byte[] Mac(SecretValue key, string instanceId, Guid executionId, int round)
    {
        byte[] ikm = Convert.FromBase64String(key.Value);
        byte[] derived = HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, MacSizeBytes, salt: null, info: DerivationInfo);
        try
        {
            return HMACSHA256.HashData(derived, Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{instanceId}\n{executionId:N}\n{round}")));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ikm);
            CryptographicOperations.ZeroMemory(derived);
        }
    }
}
