namespace Workflow.Vehicles.Api;

/// <summary>Where the vehicle API client credentials come from. The default reads the app's secret store.</summary>
public interface IVehicleApiCredentialsSource
{
    /// <summary>Reads the current credentials; called on every token request so a rotation takes effect with the next token.</summary>
    ValueTask<VehicleApiCredentials> GetAsync(CancellationToken cancellationToken);
}
