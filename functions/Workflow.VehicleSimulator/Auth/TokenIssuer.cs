using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Workflow.VehicleSimulator.Auth;

/// <summary>Opaque bearer tokens for the client-credentials grant, with expiry on the simulator's clock.</summary>
internal sealed class TokenIssuer(VehicleSimulatorOptions options, TimeProvider time)
{
    private static readonly TimeSpan ExpiredRetention = TimeSpan.FromDays(1);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _tokens = new(StringComparer.Ordinal);

    /// <summary>Constant-time comparison, as a real token endpoint would do.</summary>
    public bool AreValidCredentials(string clientId, string clientSecret) =>
        ConstantTime.AreEqual(clientId, options.ClientId) & ConstantTime.AreEqual(clientSecret, options.ClientSecret);

    public (string AccessToken, TimeSpan ExpiresIn) Issue()
    {
        var now = time.GetUtcNow();
        // Expired tokens are remembered a while, so a client presenting one gets 2301 (expired), not 401 (unknown).
        foreach (var expired in _tokens.Where(t => t.Value + ExpiredRetention <= now))
        {
            _tokens.TryRemove(expired);
        }

        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        _tokens[token] = now + options.TokenLifetime;
        return (token, options.TokenLifetime);
    }

    /// <summary>Whether the token is one this simulator issued, and whether it is still valid.</summary>
    public TokenCheck Check(string token) =>
        !_tokens.TryGetValue(token, out var expiresAt) ? TokenCheck.Unknown
        : time.GetUtcNow() < expiresAt ? TokenCheck.Valid
        : TokenCheck.Expired;

    /// <summary>Makes every token issued so far expired (<c>POST /_sim/tokens/expire</c>): their next call answers 2301.</summary>
    public void ExpireAll()
    {
        var now = time.GetUtcNow();
        foreach (var token in _tokens.Keys)
        {
            _tokens[token] = now;
        }
    }
}

/// <summary>What <see cref="TokenIssuer.Check"/> found.</summary>
internal enum TokenCheck
{
    Unknown,
    Valid,
    Expired,
}
