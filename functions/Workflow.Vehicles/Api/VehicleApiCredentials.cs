namespace Workflow.Vehicles.Api;

/// <summary>The OAuth client credentials the app presents to the gateway's token endpoint.</summary>
/// <param name="ClientId">The client id.</param>
/// <param name="ClientSecret">The client secret. Never log it.</param>
public sealed record VehicleApiCredentials(string ClientId, string ClientSecret)
{
    /// <summary>Names the client; the secret is redacted.</summary>
    public override string ToString() => $"{ClientId} (secret redacted)";
}
