using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Workflow.Durable;

namespace Workflow.Functions.Hosting;

/// <summary>
/// Points the durable runtime at the storage account the Functions host uses, with the host's own
/// setting names, so one set of app settings serves both.
/// </summary>
/// <remarks>
/// In order: <c>DurableTask:Storage:ConnectionString</c>; the <c>AzureWebJobsStorage</c> connection string;
/// the identity-based connection <c>AzureWebJobsStorage__accountName</c> (or <c>__queueServiceUri</c>,
/// <c>__tableServiceUri</c>, <c>__blobServiceUri</c>) with <c>__credential</c>/<c>__clientId</c>;
/// in Development only, <c>UseDevelopmentStorage=true</c> (Azurite on its default ports).
/// </remarks>
internal static class StorageSetup
{
    public const string ConnectionSetting = "AzureWebJobsStorage";
    public const string DevelopmentStorage = "UseDevelopmentStorage=true";

    /// <summary>The connection string the app ends up with, or null for an identity-based connection.</summary>
    public static string? ResolveConnectionString(IConfiguration configuration, IHostEnvironment environment)
    {
        string? explicitString = configuration["DurableTask:Storage:ConnectionString"];
        if (!string.IsNullOrWhiteSpace(explicitString))
        {
            return explicitString;
        }

        string? hostString = configuration[ConnectionSetting];
        if (!string.IsNullOrWhiteSpace(hostString))
        {
            return hostString;
        }

        return HasIdentityConnection(configuration) || !environment.IsDevelopment() ? null : DevelopmentStorage;
    }

    public static void Configure(IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddOptions<DurableTaskOptions>()
            .PostConfigure<IServiceProvider>((options, provider) =>
            {
                DurableTaskStorageOptions storage = options.Storage;
                string? connectionString = ResolveConnectionString(configuration, environment);
                if (connectionString is not null)
                {
                    storage.ConnectionString = connectionString;
                    return;
                }

                IConfigurationSection identity = configuration.GetSection(ConnectionSetting);
                storage.AccountName ??= NullIfBlank(identity["accountName"]);
                storage.QueueServiceUri ??= UriOrNull(identity["queueServiceUri"]);
                storage.TableServiceUri ??= UriOrNull(identity["tableServiceUri"]);
                storage.BlobServiceUri ??= UriOrNull(identity["blobServiceUri"]);
                if (storage.AccountName is not null || storage.QueueServiceUri is not null)
                {
                    storage.Credential ??= CreateCredential(identity, provider);
                }
            })
            .Validate(
                o => !string.IsNullOrWhiteSpace(o.Storage.ConnectionString) || o.Storage.AccountName is not null || o.Storage.QueueServiceUri is not null,
                $"No storage account is configured. Set {ConnectionSetting} to a connection string, or {ConnectionSetting}__accountName to the account name "
                + "for an identity-based connection (the app's managed identity in Azure). In Development the default is Azurite (UseDevelopmentStorage=true).");
    }

    private static bool HasIdentityConnection(IConfiguration configuration)
    {
        IConfigurationSection identity = configuration.GetSection(ConnectionSetting);
        return !string.IsNullOrWhiteSpace(identity["accountName"]) || !string.IsNullOrWhiteSpace(identity["queueServiceUri"]);
    }

    // Same meaning as the Functions host's identity-based connections: "managedidentity" (optionally with a
    // user-assigned clientId) uses the managed identity only; anything else the app's default credential.
    private static TokenCredential CreateCredential(IConfigurationSection identity, IServiceProvider provider)
    {
        string? clientId = NullIfBlank(identity["clientId"]);
        if (string.Equals(identity["credential"], "managedidentity", StringComparison.OrdinalIgnoreCase))
        {
            return new ManagedIdentityCredential(clientId is null ? ManagedIdentityId.SystemAssigned : ManagedIdentityId.FromUserAssignedClientId(clientId));
        }

        return provider.GetRequiredService<TokenCredential>();
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static Uri? UriOrNull(string? value) => NullIfBlank(value) is { } text ? new Uri(text, UriKind.Absolute) : null;
}
