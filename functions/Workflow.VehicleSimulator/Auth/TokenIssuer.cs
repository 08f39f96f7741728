using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Workflow.VehicleSimulator.Auth;

/// <summary>Opaque bearer tokens for the client-credentials grant, with expiry on the simulator's clock.</summary>
internal sealed class TokenIssuer(VehicleSimulatorOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _tokens = new(StringComparer.Ordinal);

    /// <summary>Constant-time comparison, as a real token endpoint would do.</summary>
    public bool AreValidCredentials(string clientId, string clientSecret) =>
        FixedTimeEquals(clientId, options.ClientId) & FixedTimeEquals(clientSecret, options.ClientSecret);

    public (string AccessToken, TimeSpan ExpiresIn) Issue()
    {
        var now = time.GetUtcNow();
        foreach (var expired in _tokens.Where(t => t.Value <= now))
        {
            _tokens.TryRemove(expired);
        }

        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        _tokens[token] = now + options.TokenLifetime;
        return (token, options.TokenLifetime);
    }

    public bool IsValid(string token) =>
        _tokens.TryGetValue(token, out var expiresAt) && time.GetUtcNow() < expiresAt;

    private static bool FixedTimeEquals(string actual, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(actual), Encoding.UTF8.GetBytes(expected));
}
