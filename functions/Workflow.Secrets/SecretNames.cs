namespace Workflow.Secrets;

/// <summary>
/// Names of the secrets the application reads. The same names are used in Azure Key Vault and,
/// in Development only, under the <c>Secrets</c> configuration section
/// (for example <c>Secrets:vehicle-api-client-secret</c>).
/// </summary>
/// <remarks>Key Vault secret names allow only letters, digits and dashes, so these do too.</remarks>
public static class SecretNames
{
    /// <summary>OAuth client id the app presents to the vehicle API gateway.</summary>
    public const string VehicleApiClientId = "vehicle-api-client-id";

    /// <summary>OAuth client secret the app presents to the vehicle API gateway.</summary>
    public const string VehicleApiClientSecret = "vehicle-api-client-secret";

    /// <summary>Default function key of the Functions app, used by callers of its HTTP API.</summary>
    public const string FunctionsDefaultKey = "functions-default-key";

    /// <summary>
    /// The data key of the <see cref="PayloadProtector"/>: base64 of 32 random bytes.
    /// Rotate it by adding a new version; older versions must stay enabled so old data stays readable.
    /// </summary>
    public const string DataProtectionKey = "data-protection-key";
}
