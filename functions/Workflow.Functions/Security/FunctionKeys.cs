using Microsoft.Extensions.Hosting;
using Workflow.Secrets;

namespace Workflow.Functions.Security;

/// <summary>
/// The function key callers present (<c>x-functions-key</c> header or <c>code</c> query parameter), as
/// the Functions host's <c>authLevel: function</c> asks for: the secret <c>functions-default-key</c>.
/// </summary>
/// <remarks>
/// Read through <see cref="ISecretStore"/> on every check: the Key Vault store caches the current
/// version, so a rotated key takes effect within its cache lifetime without a restart. In Development
/// the key may come from configuration (<c>Secrets:functions-default-key</c>) and otherwise is
/// <see cref="LocalDevelopmentKey"/>.
/// </remarks>
internal sealed class FunctionKeys(ISecretStore secrets, IHostEnvironment environment)
{
    /// <summary>The documented key of a local Development run that configures none.</summary>
    public const string LocalDevelopmentKey = "local-dev-key";

    /// <summary>Gets the key, and where it came from for the start-up log.</summary>
    /// <exception cref="InvalidOperationException">Outside Development, the secret does not exist or is empty.</exception>
    public async ValueTask<(string Key, bool IsLocalDefault)> GetAsync(CancellationToken cancellationToken)
    {
        try
        {
            SecretValue secret = await secrets.GetSecretAsync(SecretNames.FunctionsDefaultKey, null, cancellationToken).ConfigureAwait(false);
            if (!string.IsNullOrWhiteSpace(secret.Value))
            {
                return (secret.Value, false);
            }
        }
        catch (SecretNotFoundException ex) when (!environment.IsDevelopment())
        {
            throw Missing(ex);
        }
        catch (SecretNotFoundException)
        {
            // Development without a configured key: fall through to the documented local key.
        }

        return environment.IsDevelopment() ? (LocalDevelopmentKey, true) : throw Missing(null);
    }

    /// <summary>Whether <paramref name="presented"/> is the function key, compared in constant time.</summary>
    public async ValueTask<bool> IsValidAsync(string presented, CancellationToken cancellationToken)
    {
        (string key, _) = await GetAsync(cancellationToken).ConfigureAwait(false);
        return SecretComparison.FixedTimeEquals(presented, key);
    }

    private InvalidOperationException Missing(Exception? inner) => new(
        $"The function key secret '{SecretNames.FunctionsDefaultKey}' is missing or empty, and in the '{environment.EnvironmentName}' environment "
        + "the app refuses to serve its API without it. Put the Functions host's default key into Key Vault "
        + $"(az keyvault secret set --vault-name <vault> -n {SecretNames.FunctionsDefaultKey} --value <key>); see infra/README.md.",
        inner);
}
