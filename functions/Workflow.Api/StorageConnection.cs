using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Microsoft.Extensions.Configuration;

namespace Workflow.Api;

/// <summary>
/// The app's own storage clients (the PIN lockout table) on the same account as the Durable engine, read from the
/// Functions host's own setting, so one set of app settings serves the engine and the app.
/// </summary>
/// <remarks>
/// <c>AzureWebJobsStorage</c> as a connection string (Azurite locally), or the identity-based connection
/// <c>AzureWebJobsStorage__accountName</c> (or <c>__tableServiceUri</c>) with <c>__credential</c> /
/// <c>__clientId</c>, the form the Bicep template sets in Azure.
/// </remarks>
public static class StorageConnection
{
    /// <summary>The setting the Functions host and its Durable extension read.</summary>
    public const string SettingName = "AzureWebJobsStorage";

    /// <summary>Whether either form of the setting is present.</summary>
    public static bool IsConfigured(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return !string.IsNullOrWhiteSpace(configuration[SettingName]) || configuration.GetSection(SettingName).GetChildren().Any();
    }

    /// <summary>A table service client for the configured account.</summary>
    /// <exception cref="InvalidOperationException">Neither form of the setting is present.</exception>
    public static TableServiceClient CreateTableServiceClient(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        string? connectionString = configuration[SettingName];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return new TableServiceClient(connectionString);
        }

        IConfigurationSection identity = configuration.GetSection(SettingName);
        Uri? tableService = NullIfBlank(identity["tableServiceUri"]) is { } uri ? new Uri(uri, UriKind.Absolute)
            : NullIfBlank(identity["accountName"]) is { } account ? new Uri($"https://{account}.table.core.windows.net")
            : null;
        return tableService is null
            ? throw new InvalidOperationException(
                $"No storage account is configured. Set {SettingName} to a connection string, or {SettingName}__accountName to the account name "
                + "for an identity-based connection (the app's managed identity in Azure).")
            : new TableServiceClient(tableService, CreateCredential(identity));
    }

    // Same meaning as the Functions host's identity-based connections: "managedidentity" (optionally with a
    // user-assigned clientId) uses the managed identity only; anything else the default credential chain.
    private static TokenCredential CreateCredential(IConfigurationSection identity)
    {
        string? clientId = NullIfBlank(identity["clientId"]);
        return string.Equals(identity["credential"], "managedidentity", StringComparison.OrdinalIgnoreCase)
            ? new ManagedIdentityCredential(clientId is null ? ManagedIdentityId.SystemAssigned : ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId });
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
