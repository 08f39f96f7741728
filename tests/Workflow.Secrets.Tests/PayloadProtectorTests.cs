using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;
using Workflow.Testing.KeyVault;

namespace Workflow.Secrets.Tests;

/// <summary><see cref="PayloadProtector"/> with its key in the fake vault, read through the real store.</summary>
public sealed class PayloadProtectorTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly FakeKeyVaultHandler _vault = new();
    private readonly string _firstKeyVersion;
    private readonly PayloadProtector _protector;

    public PayloadProtectorTests()
    {
        _firstKeyVersion = _vault.SetSecret(SecretNames.DataProtectionKey, NewKey());
        var store = new KeyVaultSecretStore(TestSecretClients.Create(_vault), new SecretStoreOptions(), _time);
        _protector = new PayloadProtector(store);
    }

    public static TheoryData<string> Plaintexts => new()
    {
        string.Empty,
        "hello",
        "{\"pin\":\"1234\",\"otp\":\"987654\"}",
        "Grüße, ключ, 鍵, 🚗🔐, é (e + combining acute)",
        new string('x', 1024 * 1024),
    };

    public void Dispose() => _vault.Dispose();

    [Theory]
    [MemberData(nameof(Plaintexts))]
    public async Task RoundTrips(string plaintext)
    {
        string envelope = await _protector.ProtectAsync(plaintext);

        Assert.Equal(plaintext, await _protector.UnprotectAsync(envelope));
        Assert.True(PayloadProtector.IsProtected(envelope));
    }

    [Fact]
    public async Task EnvelopeIsCompactAsciiNamingTheKeyAndItsVersion()
    {
        string envelope = await _protector.ProtectAsync("hello");

        Assert.StartsWith($"v1.data-protection-key.{_firstKeyVersion}.", envelope, StringComparison.Ordinal);
        Assert.Matches("^[A-Za-z0-9._-]+$", envelope);
        byte[] data = Base64Url.DecodeFromChars(envelope.Split('.')[3]);
        Assert.Equal(12 + Encoding.UTF8.GetByteCount("hello") + 16, data.Length);
    }

    [Fact]
    public async Task TheSamePlaintextEncryptsDifferentlyEachTime()
    {
        string first = await _protector.ProtectAsync("same");
        string second = await _protector.ProtectAsync("same");

        Assert.NotEqual(first, second);
        Assert.NotEqual(Base64Url.DecodeFromChars(first.Split('.')[3])[..12], Base64Url.DecodeFromChars(second.Split('.')[3])[..12]);
    }

    [Fact]
    public async Task ThePlaintextNeverAppearsInTheEnvelope()
    {
        const string Pin = "PIN-493817-secret";
        string envelope = await _protector.ProtectAsync(Pin);

        Assert.DoesNotContain(Pin, envelope, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Base64Url.EncodeToString(Encoding.UTF8.GetBytes(Pin))[..12], envelope, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(Pin))[..12], envelope, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AfterRotationNewWritesUseTheNewVersionAndOldDataStaysReadable()
    {
        string written = await _protector.ProtectAsync("before rotation");
        string secondKeyVersion = _vault.SetSecret(SecretNames.DataProtectionKey, NewKey());
        _time.Advance(SecretStoreOptions.DefaultCacheLifetime); // the store picks up the new current version

        string rewritten = await _protector.ProtectAsync("after rotation");

        Assert.Equal(_firstKeyVersion, written.Split('.')[2]);
        Assert.Equal(secondKeyVersion, rewritten.Split('.')[2]);
        Assert.Equal("before rotation", await _protector.UnprotectAsync(written));
        Assert.Equal("after rotation", await _protector.UnprotectAsync(rewritten));
    }

    [Theory]
    [InlineData(0)] // nonce
    [InlineData(12)] // first ciphertext byte
    [InlineData(-1)] // last tag byte
    [InlineData(-16)] // first tag byte
    public async Task AFlippedByteIsDetected(int index)
    {
        string envelope = await _protector.ProtectAsync("do not touch");
        string[] parts = envelope.Split('.');
        byte[] data = Base64Url.DecodeFromChars(parts[3]);
        data[index < 0 ? data.Length + index : index] ^= 0x01;
        string tampered = string.Join('.', parts[0], parts[1], parts[2], Base64Url.EncodeToString(data));

        var error = await Assert.ThrowsAsync<PayloadProtectionException>(() => _protector.UnprotectAsync(tampered).AsTask());

        Assert.Contains("failed authentication", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("do not touch", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RelabellingWithAnotherExistingKeyVersionIsDetected()
    {
        string envelope = await _protector.ProtectAsync("labelled");
        string other = _vault.SetSecret(SecretNames.DataProtectionKey, NewKey());
        string relabelled = envelope.Replace(_firstKeyVersion, other, StringComparison.Ordinal);

        var error = await Assert.ThrowsAsync<PayloadProtectionException>(() => _protector.UnprotectAsync(relabelled).AsTask());

        Assert.Contains("failed authentication", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RelabellingWithTheSameKeyIsDetectedThroughTheAssociatedData()
    {
        // Same key bytes under two versions: only the associated data tells the envelopes apart.
        string sharedKey = NewKey();
        using var vault = new FakeKeyVaultHandler();
        string v1 = vault.SetSecret(SecretNames.DataProtectionKey, sharedKey);
        var protector = new PayloadProtector(new KeyVaultSecretStore(TestSecretClients.Create(vault)));
        string envelope = await protector.ProtectAsync("labelled");
        string v2 = vault.SetSecret(SecretNames.DataProtectionKey, sharedKey);

        await Assert.ThrowsAsync<PayloadProtectionException>(
            () => protector.UnprotectAsync(envelope.Replace(v1, v2, StringComparison.Ordinal)).AsTask());
    }

    [Theory]
    [InlineData("v2.data-protection-key.{version}.{data}")]
    [InlineData("v1.data-protection-key.{version}")]
    [InlineData("v1.data-protection-key.{version}.{data}.extra")]
    [InlineData("v1..{version}.{data}")]
    [InlineData("v1.data protection key.{version}.{data}")]
    [InlineData("v1.data-protection-key.{version}.{data}=")]
    [InlineData("v1.data-protection-key.{version}.{data}!")]
    [InlineData("v1.data-protection-key.{version}.{short}")]
    [InlineData("v1.data-protection-key.{version}.")]
    public async Task AMalformedOrTruncatedEnvelopeIsRejectedWithoutQuotingIt(string shape)
    {
        string envelope = await _protector.ProtectAsync("hello");
        string data = envelope.Split('.')[3];
        string malformed = shape
            .Replace("{version}", _firstKeyVersion, StringComparison.Ordinal)
            .Replace("{data}", data, StringComparison.Ordinal)
            .Replace("{short}", data[..30], StringComparison.Ordinal);

        var error = await Assert.ThrowsAsync<PayloadProtectionException>(() => _protector.UnprotectAsync(malformed).AsTask());

        Assert.Contains("not a protected payload", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(data, error.Message, StringComparison.Ordinal);
        Assert.False(PayloadProtector.IsProtected(malformed));
    }

    [Fact]
    public async Task ATruncatedCiphertextIsDetected()
    {
        string envelope = await _protector.ProtectAsync("a longer payload that can lose a few bytes");
        string[] parts = envelope.Split('.');
        byte[] data = Base64Url.DecodeFromChars(parts[3]);
        string truncated = string.Join('.', parts[0], parts[1], parts[2], Base64Url.EncodeToString(data.AsSpan(..^3)));

        await Assert.ThrowsAsync<PayloadProtectionException>(() => _protector.UnprotectAsync(truncated).AsTask());
    }

    [Fact]
    public async Task NonCanonicalBase64IsRejected()
    {
        // 12 + 1 + 16 = 29 bytes encode to 39 characters: the last one carries 2 unused bits.
        string envelope = await _protector.ProtectAsync("x");
        string[] parts = envelope.Split('.');
        char last = parts[3][^1];
        char sibling = (char)(last + 1); // same high bits, a non-zero unused bit, for any canonical last character
        string altered = string.Join('.', parts[0], parts[1], parts[2], parts[3][..^1] + sibling);

        await Assert.ThrowsAsync<PayloadProtectionException>(() => _protector.UnprotectAsync(altered).AsTask());
    }

    [Fact]
    public async Task PlaintextPassedByMistakeIsRejectedWithoutEchoingIt()
    {
        var error = await Assert.ThrowsAsync<PayloadProtectionException>(() => _protector.UnprotectAsync("my PIN is 4242").AsTask());

        Assert.DoesNotContain("4242", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownKeyVersionSaysWhichVersionIsMissing()
    {
        string envelope = await _protector.ProtectAsync("orphaned");
        const string Unknown = "ffffffffffffffffffffffffffffffff";

        var error = await Assert.ThrowsAsync<PayloadProtectionException>(
            () => _protector.UnprotectAsync(envelope.Replace(_firstKeyVersion, Unknown, StringComparison.Ordinal)).AsTask());

        Assert.Contains($"version '{Unknown}' of data key 'data-protection-key'", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not have", error.Message, StringComparison.Ordinal);
        Assert.IsType<SecretNotFoundException>(error.InnerException);
    }

    [Fact]
    public async Task AnEnvelopeNamingAnotherSecretIsRejectedWithoutReadingThatSecret()
    {
        _vault.SetSecret(SecretNames.VehicleApiClientSecret, NewKey());
        string envelope = await _protector.ProtectAsync("hello");

        var error = await Assert.ThrowsAsync<PayloadProtectionException>(
            () => _protector.UnprotectAsync(envelope.Replace(SecretNames.DataProtectionKey, SecretNames.VehicleApiClientSecret, StringComparison.Ordinal)).AsTask());

        Assert.Contains("only uses key 'data-protection-key'", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _vault.CountRequests($"/secrets/{SecretNames.VehicleApiClientSecret}"));
    }

    [Theory]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(64)]
    public async Task AKeyOfTheWrongLengthIsRejectedWithoutShowingIt(int length)
    {
        string key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(length));
        string version = _vault.SetSecret(SecretNames.DataProtectionKey, key);
        var protector = new PayloadProtector(new KeyVaultSecretStore(TestSecretClients.Create(_vault)));

        var error = await Assert.ThrowsAsync<PayloadProtectionException>(() => protector.ProtectAsync("hello").AsTask());

        Assert.Contains($"Version '{version}' of data key 'data-protection-key' is {length} bytes long; AES-256-GCM needs exactly 32", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AKeyThatIsNotBase64IsRejectedWithoutShowingIt()
    {
        _vault.SetSecret(SecretNames.DataProtectionKey, "not base64 at all!");
        var protector = new PayloadProtector(new KeyVaultSecretStore(TestSecretClients.Create(_vault)));

        var error = await Assert.ThrowsAsync<PayloadProtectionException>(() => protector.ProtectAsync("hello").AsTask());

        Assert.Contains("is not valid base64", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not base64 at all", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingKeySaysHowToCreateIt()
    {
        using var vault = new FakeKeyVaultHandler();
        var protector = new PayloadProtector(new KeyVaultSecretStore(TestSecretClients.Create(vault)));

        var error = await Assert.ThrowsAsync<PayloadProtectionException>(() => protector.ProtectAsync("hello").AsTask());

        Assert.Contains("az keyvault secret set", error.Message, StringComparison.Ordinal);
        Assert.Contains("openssl rand -base64 32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnpairedSurrogateIsRefusedRatherThanSilentlyChanged()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _protector.ProtectAsync("broken \ud800 text").AsTask());
    }

    [Fact]
    public async Task WorksOverTheDevelopmentConfigurationStore()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Secrets:data-protection-key"] = NewKey() })
            .Build();
        var protector = new PayloadProtector(new ConfigurationSecretStore(configuration));

        string envelope = await protector.ProtectAsync("dev payload");

        Assert.StartsWith("v1.data-protection-key.config.", envelope, StringComparison.Ordinal);
        Assert.Equal("dev payload", await protector.UnprotectAsync(envelope));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("plain text")]
    [InlineData("v1.a.b")]
    [InlineData("{\"json\":true}")]
    public void IsProtectedIsFalseForOtherText(string? text) => Assert.False(PayloadProtector.IsProtected(text));

    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
}
