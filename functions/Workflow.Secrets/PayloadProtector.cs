using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Workflow.Secrets;

/// <summary>
/// Encrypts payloads with AES-256-GCM under a data key held in the secret store, into a compact ASCII
/// envelope that names the key and its version, so keys can rotate while old data stays readable.
/// </summary>
/// <remarks>
/// <para>
/// Envelope: <c>v1.&lt;keyName&gt;.&lt;keyVersion&gt;.&lt;base64url(nonce | ciphertext | tag)&gt;</c>, with a fresh
/// random 12-byte nonce per payload and a 16-byte tag. The header <c>v1.&lt;keyName&gt;.&lt;keyVersion&gt;</c> is
/// the associated data, so an envelope cannot be re-labelled with another key or version.
/// </para>
/// <para>
/// New payloads use the current version of the key; a payload is unprotected with the version its envelope
/// names. To rotate, add a new version of the key secret and keep the old versions enabled.
/// </para>
/// </remarks>
public sealed class PayloadProtector
{
    private const string FormatVersion = "v1";
    private const int KeySizeBytes = 32;
    private const int NonceSizeBytes = 12;
    private const int TagSizeBytes = 16;
    private const int OverheadBytes = NonceSizeBytes + TagSizeBytes;

    // Throws on unpaired surrogates instead of silently replacing them, so a round trip is always exact.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ISecretStore _secretStore;

    /// <summary>Creates a protector whose data key is read from <paramref name="secretStore"/>.</summary>
    /// <param name="secretStore">Where the data key lives.</param>
    /// <param name="options">Options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">The key secret name is not a valid Key Vault secret name.</exception>
    public PayloadProtector(ISecretStore secretStore, PayloadProtectorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(secretStore);
        string keySecretName = (options ?? new PayloadProtectorOptions()).KeySecretName;
        if (!IsEnvelopeToken(keySecretName))
        {
            throw new ArgumentException(
                $"The key secret name '{keySecretName}' is not valid: use letters, digits and dashes only, as Key Vault does.",
                nameof(options));
        }

        _secretStore = secretStore;
        KeySecretName = keySecretName;
    }

    /// <summary>The secret that holds the data key.</summary>
    public string KeySecretName { get; }

    /// <summary>Encrypts <paramref name="plaintext"/> under the current version of the data key.</summary>
    /// <param name="plaintext">The text to protect; may be empty.</param>
    /// <param name="cancellationToken">Cancels the wait for the key.</param>
    /// <returns>An ASCII envelope, safe for Azure Table properties and queue messages.</returns>
    /// <exception cref="ArgumentException"><paramref name="plaintext"/> is not valid UTF-16 (it has an unpaired surrogate).</exception>
    /// <exception cref="PayloadProtectionException">The data key is missing or is not base64 of 32 bytes.</exception>
    public async ValueTask<string> ProtectAsync(string plaintext, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plaintext);

        int plaintextLength;
        try
        {
            plaintextLength = StrictUtf8.GetByteCount(plaintext);
        }
        catch (EncoderFallbackException ex)
        {
            throw new ArgumentException("The plaintext contains an unpaired surrogate and cannot be encoded as UTF-8.", nameof(plaintext), ex);
        }

        SecretValue secret = await GetKeyAsync(version: null, cancellationToken).ConfigureAwait(false);
        if (!IsEnvelopeToken(secret.Version))
        {
            throw new PayloadProtectionException(
                $"The current version id of data key '{KeySecretName}' cannot be written into an envelope: it must contain only letters, digits and dashes.");
        }

        string header = BuildHeader(KeySecretName, secret.Version);
        byte[] key = DecodeKey(secret);
        byte[] plaintextBytes = ArrayPool<byte>.Shared.Rent(plaintextLength);
        try
        {
            StrictUtf8.GetBytes(plaintext, plaintextBytes);
            byte[] payload = new byte[NonceSizeBytes + plaintextLength + TagSizeBytes];
            Span<byte> nonce = payload.AsSpan(0, NonceSizeBytes);
            RandomNumberGenerator.Fill(nonce);

            using (var aes = new AesGcm(key, TagSizeBytes))
            {
                aes.Encrypt(
                    nonce,
                    plaintextBytes.AsSpan(0, plaintextLength),
                    payload.AsSpan(NonceSizeBytes, plaintextLength),
                    payload.AsSpan(NonceSizeBytes + plaintextLength, TagSizeBytes),
                    Encoding.ASCII.GetBytes(header));
            }

            return header + "." + Base64Url.EncodeToString(payload);
        }
        finally
        {
            // The plaintext may be a PIN or an OTP; do not leave it in a pooled buffer.
            CryptographicOperations.ZeroMemory(plaintextBytes.AsSpan(0, plaintextLength));
            ArrayPool<byte>.Shared.Return(plaintextBytes);
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Decrypts an envelope produced by <see cref="ProtectAsync"/>, with the key version it names.</summary>
    /// <param name="protectedText">The envelope.</param>
    /// <param name="cancellationToken">Cancels the wait for the key.</param>
    /// <returns>The original plaintext.</returns>
    /// <exception cref="PayloadProtectionException">
    /// The envelope is malformed, truncated or tampered with, names another key, names a key version the secret
    /// store does not have, or the key is not base64 of 32 bytes.
    /// </exception>
    public async ValueTask<string> UnprotectAsync(string protectedText, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(protectedText);

        // Parse failures never quote the input: a caller may have passed plaintext by mistake.
        if (!TryParse(protectedText, out Envelope envelope, out string? problem))
        {
            throw new PayloadProtectionException($"The text is not a protected payload ({problem}). Expected {FormatVersion}.<keyName>.<keyVersion>.<base64url data>.");
        }

        if (!string.Equals(envelope.KeyName, KeySecretName, StringComparison.Ordinal))
        {
            throw new PayloadProtectionException(
                $"The protected payload names key '{envelope.KeyName}', but this protector only uses key '{KeySecretName}'.");
        }

        SecretValue secret = await GetKeyAsync(envelope.KeyVersion, cancellationToken).ConfigureAwait(false);
        byte[] payload = Base64Url.DecodeFromChars(envelope.Data);
        int ciphertextLength = payload.Length - OverheadBytes;
        byte[] key = DecodeKey(secret);
        byte[] plaintextBytes = ArrayPool<byte>.Shared.Rent(ciphertextLength);
        try
        {
            using (var aes = new AesGcm(key, TagSizeBytes))
            {
                aes.Decrypt(
                    payload.AsSpan(0, NonceSizeBytes),
                    payload.AsSpan(NonceSizeBytes, ciphertextLength),
                    payload.AsSpan(NonceSizeBytes + ciphertextLength, TagSizeBytes),
                    plaintextBytes.AsSpan(0, ciphertextLength),
                    Encoding.ASCII.GetBytes(envelope.Header));
            }

            return StrictUtf8.GetString(plaintextBytes, 0, ciphertextLength);
        }
        catch (CryptographicException ex)
        {
            throw new PayloadProtectionException(
                $"The protected payload failed authentication: it was altered or truncated, or it was not written with version '{envelope.KeyVersion}' of data key '{KeySecretName}'.",
                ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintextBytes.AsSpan(0, ciphertextLength));
            ArrayPool<byte>.Shared.Return(plaintextBytes);
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>
    /// Whether <paramref name="text"/> has the shape of an envelope produced by <see cref="ProtectAsync"/>.
    /// It does not check that the envelope decrypts.
    /// </summary>
    /// <param name="text">The text to inspect.</param>
    /// <returns><see langword="true"/> when the text is a well-formed envelope.</returns>
    public static bool IsProtected([NotNullWhen(true)] string? text) => text is not null && TryParse(text, out _, out _);

    private async ValueTask<SecretValue> GetKeyAsync(string? version, CancellationToken cancellationToken)
    {
        try
        {
            return await _secretStore.GetSecretAsync(KeySecretName, version, cancellationToken).ConfigureAwait(false);
        }
        catch (SecretNotFoundException ex) when (version is null)
        {
            throw new PayloadProtectionException(
                $"The data key '{KeySecretName}' is not available, so nothing can be protected. {ex.Message} The key must be base64 of 32 random bytes, for example the output of openssl rand -base64 32.",
                ex);
        }
        catch (SecretNotFoundException ex)
        {
            throw new PayloadProtectionException(
                $"The payload was protected with version '{version}' of data key '{KeySecretName}', which the secret store does not have (deleted or purged, or a different vault or store), so it cannot be decrypted. {ex.Message}",
                ex);
        }
    }

    private byte[] DecodeKey(SecretValue secret)
    {
        // Room for a longer value, so that a wrong length is reported as such rather than as bad base64.
        byte[] buffer = new byte[Math.Max(KeySizeBytes, secret.Value.Length)];
        try
        {
            if (!Convert.TryFromBase64String(secret.Value, buffer, out int written))
            {
                throw new PayloadProtectionException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"Version '{secret.Version}' of data key '{KeySecretName}' is not valid base64. It must be base64 of 32 random bytes, for example the output of openssl rand -base64 32."));
            }

            if (written != KeySizeBytes)
            {
                throw new PayloadProtectionException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"Version '{secret.Version}' of data key '{KeySecretName}' is {written} bytes long; AES-256-GCM needs exactly {KeySizeBytes}. Set a new version to base64 of 32 random bytes, for example the output of openssl rand -base64 32."));
            }

            return buffer[..KeySizeBytes];
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
        }
    }

    private static string BuildHeader(string keyName, string keyVersion) => $"{FormatVersion}.{keyName}.{keyVersion}";

    private static bool TryParse(string text, out Envelope envelope, [NotNullWhen(false)] out string? problem)
    {
        envelope = default;
        string[] parts = text.Split('.');
        if (parts.Length != 4 || parts[0] != FormatVersion)
        {
            problem = $"it does not have the four dot-separated parts of a {FormatVersion} envelope";
            return false;
        }

        if (!IsEnvelopeToken(parts[1]) || !IsEnvelopeToken(parts[2]))
        {
            problem = "its key name or key version is empty or has characters other than letters, digits and dashes";
            return false;
        }

        string data = parts[3];
        if (!Base64Url.IsValid(data, out int decodedLength) || Base64Url.GetEncodedLength(decodedLength) != data.Length)
        {
            problem = "its data is not unpadded base64url";
            return false;
        }

        if (!HasZeroUnusedBits(data))
        {
            problem = "its data is not canonical base64url";
            return false;
        }

        if (decodedLength < OverheadBytes)
        {
            problem = "its data is truncated: shorter than a nonce and a tag";
            return false;
        }

        problem = null;
        envelope = new Envelope(BuildHeader(parts[1], parts[2]), parts[1], parts[2], data);
        return true;
    }

    // A decoder ignores the unused low bits of the last character, so without this check several strings
    // would decode to the same envelope; rejecting them keeps one envelope, one string.
    private static bool HasZeroUnusedBits(string data)
    {
        int unusedBitsMask = (data.Length % 4) switch
        {
            2 => 0b1111,
            3 => 0b11,
            _ => 0,
        };
        if (unusedBitsMask == 0)
        {
            return true;
        }

        char last = data[^1];
        int sextet = last switch
        {
            >= 'A' and <= 'Z' => last - 'A',
            >= 'a' and <= 'z' => last - 'a' + 26,
            >= '0' and <= '9' => last - '0' + 52,
            '-' => 62,
            _ => 63,
        };
        return (sextet & unusedBitsMask) == 0;
    }

    private static bool IsEnvelopeToken(string? value) =>
        !string.IsNullOrEmpty(value) && value.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    private readonly record struct Envelope(string Header, string KeyName, string KeyVersion, string Data);
}
