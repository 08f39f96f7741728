using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Workflow.Secrets;

namespace Workflow.LocalHost.Security;

/// <summary>Where the function key in use comes from.</summary>
internal enum FunctionKeySource
{
    /// <summary>The setting <c>Functions:DefaultKey</c> (environment variable <c>Functions__DefaultKey</c>).</summary>
    Setting,

    /// <summary>The secret <c>functions-default-key</c> (Key Vault; in Development without a vault, <c>Secrets:functions-default-key</c>).</summary>
    Secret,

    /// <summary>Development without either: the documented <see cref="FunctionKeys.LocalDevelopmentKey"/>.</summary>
    LocalDevelopmentDefault,
}

/// <summary>
/// The function key callers of the local host present (<c>x-functions-key</c> header or <c>code</c> query parameter),
/// as the Functions host's <c>authLevel: function</c> asks for; under the Functions host the host itself checks it. In order: the setting <c>Functions:DefaultKey</c>, the
/// secret <c>functions-default-key</c>, and in Development only the documented <see cref="LocalDevelopmentKey"/>.
/// </summary>
/// <remarks>
/// The setting comes first so that the key can be given like any other Functions app setting. A key from the setting or
/// the local default is resolved once (the first check, at start-up) and kept. Without the setting the app reads the
/// secret itself, through <see cref="ISecretStore"/> on every check: the Key Vault store caches the current version,
/// so a rotated key takes effect within its cache lifetime without a restart.
/// </remarks>
internal sealed class FunctionKeys(IConfiguration configuration, ISecretStore secrets, IHostEnvironment environment)
{
    /// <summary>The documented key of a local Development run that configures none.</summary>
    public const string LocalDevelopmentKey = "local-dev-key";

    /// <summary>The setting that holds the key, as configuration names it.</summary>
    public const string SettingName = "Functions:DefaultKey";

    /// <summary>The same setting as an app setting or environment variable.</summary>
    public const string EnvironmentVariableName = "Functions__DefaultKey";

    // App Service hands a Key Vault reference it could not resolve to the app as its literal text.
    private const string KeyVaultReferencePrefix = "@Microsoft.KeyVault(";

    // The key once it came from the setting or the local default: neither changes while the process runs.
    private volatile ResolvedKey? _fixed;

    /// <summary>Gets the key, and where it came from for the start-up log.</summary>
    /// <exception cref="InvalidOperationException">
    /// The setting is an unresolved Key Vault reference; or, outside Development, neither the setting nor the secret has a value.
    /// </exception>
    public async ValueTask<(string Key, FunctionKeySource Source)> GetAsync(CancellationToken cancellationToken)
    {
        if (_fixed is { } known)
        {
            return (known.Key, known.Source);
        }

        (string key, FunctionKeySource source) = await ResolveAsync(cancellationToken).ConfigureAwait(false);
        if (source != FunctionKeySource.Secret)
        {
            _fixed = new ResolvedKey(key, source);
        }

        return (key, source);
    }

    /// <summary>Whether <paramref name="presented"/> is the function key, compared in constant time.</summary>
    public async ValueTask<bool> IsValidAsync(string presented, CancellationToken cancellationToken)
    {
        (string key, _) = await GetAsync(cancellationToken).ConfigureAwait(false);
        return SecretComparison.FixedTimeEquals(presented, key);
    }

    private async ValueTask<(string Key, FunctionKeySource Source)> ResolveAsync(CancellationToken cancellationToken)
    {
        string? setting = configuration[SettingName];
        if (!string.IsNullOrWhiteSpace(setting))
        {
            // Taken as it is, that text would be a key anyone who can read the app settings knows.
            return setting.TrimStart().StartsWith(KeyVaultReferencePrefix, StringComparison.OrdinalIgnoreCase)
                ? throw UnresolvedReference()
                : (setting, FunctionKeySource.Setting);
        }

        try
        {
            SecretValue secret = await secrets.GetSecretAsync(SecretNames.FunctionsDefaultKey, null, cancellationToken).ConfigureAwait(false);
            if (!string.IsNullOrWhiteSpace(secret.Value))
            {
                return (secret.Value, FunctionKeySource.Secret);
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

        return environment.IsDevelopment() ? (LocalDevelopmentKey, FunctionKeySource.LocalDevelopmentDefault) : throw Missing(null);
    }

    private InvalidOperationException Missing(Exception? inner) => new(
        $"No function key is configured, and in the '{environment.EnvironmentName}' environment the app refuses to serve its API without one. "
        + $"Set {SettingName} (app setting or environment variable {EnvironmentVariableName}) to the Functions host's default key, "
        + $"or put that key into Key Vault as the secret '{SecretNames.FunctionsDefaultKey}' "
        + $"(az keyvault secret set --vault-name <vault> -n {SecretNames.FunctionsDefaultKey} --value <key>).",
        inner);

    private static InvalidOperationException UnresolvedReference() => new(
        $"The setting {SettingName} ({EnvironmentVariableName}) holds a Key Vault reference that App Service could not resolve, so the app refuses "
        + "to use it as the function key. Check that the secret exists and that the app's identity may read it (Key Vault Secrets User), "
        + $"or remove the setting: the app then reads the secret '{SecretNames.FunctionsDefaultKey}' from Key Vault itself.");

    private sealed record ResolvedKey(string Key, FunctionKeySource Source);
}
