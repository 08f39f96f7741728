using Azure.Core;

namespace Workflow.Testing.KeyVault;

/// <summary>
/// A <see cref="TokenCredential"/> that returns a fixed bearer token without any identity provider, and records
/// the token requests so tests can check the scope and tenant the Key Vault challenge asked for.
/// </summary>
public sealed class StaticTokenCredential : TokenCredential
{
    private readonly object _gate = new();
    private readonly List<TokenRequestContext> _requests = [];

    /// <summary>Creates a credential that always returns <paramref name="token"/>.</summary>
    /// <param name="token">The bearer token to hand out.</param>
    public StaticTokenCredential(string token = "fake-key-vault-token")
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        Token = token;
    }

    /// <summary>The bearer token this credential hands out.</summary>
    public string Token { get; }

    /// <summary>The token requests received so far, oldest first.</summary>
    public IReadOnlyList<TokenRequestContext> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <inheritdoc />
    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _requests.Add(requestContext);
        }

        // The SDK compares the expiry with the real clock, so the token must be valid in real time.
        return new AccessToken(Token, DateTimeOffset.UtcNow.AddHours(1));
    }

    /// <inheritdoc />
    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}
