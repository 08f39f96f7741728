using Workflow.Secrets;

namespace Workflow.Vehicles.Api;

/// <summary>
/// Reads the client id and secret through <see cref="ISecretStore"/> (Key Vault in Azure, the
/// <c>Secrets</c> configuration section in Development) under <see cref="SecretNames.VehicleApiClientId"/>
/// and <see cref="SecretNames.VehicleApiClientSecret"/>.
/// </summary>
/// <param name="secrets">The app's secret store.</param>
public sealed class SecretStoreVehicleApiCredentialsSource(ISecretStore secrets) : IVehicleApiCredentialsSource
{
    /// <inheritdoc/>
    public async ValueTask<VehicleApiCredentials> GetAsync(CancellationToken cancellationToken)
    {
        SecretValue id = await secrets.GetSecretAsync(SecretNames.VehicleApiClientId, version: null, cancellationToken).ConfigureAwait(false);
        SecretValue secret = await secrets.GetSecretAsync(SecretNames.VehicleApiClientSecret, version: null, cancellationToken).ConfigureAwait(false);
        return new VehicleApiCredentials(id.Value, secret.Value);
    }
}
