// Flex Consumption (FC1, Linux) plan and the function app: a .NET isolated-worker Functions app
// (dotnet-isolated 10.0) with Durable Functions on the Azure Storage backend. The Functions host,
// the Durable extension and the app reach storage, Key Vault and Application Insights with the
// app's system-assigned managed identity only; no key or connection string is configured.
//
// The app settings live in one `config/appsettings` resource rather than in siteConfig: one of
// them (Commands__PublicBaseUrl) is the site's own default host name, which exists only once the
// site does. That resource replaces the whole set on every deployment, so the settings are
// exactly the ones below. Flex Consumption takes the runtime from functionAppConfig.runtime and
// rejects FUNCTIONS_WORKER_RUNTIME and FUNCTIONS_EXTENSION_VERSION, so neither is set.

@description('Azure region of the resources.')
param location string

@description('Name of the Flex Consumption plan.')
param planName string

@description('Name of the function app (also the first label of its host name).')
@minLength(2)
@maxLength(60)
param functionAppName string

@description('Name of the existing storage account (AzureWebJobsStorage: host, Durable Functions task hub, deployment package).')
param storageAccountName string

@description('Blob container of the storage account holding the deployment package.')
param deploymentContainerName string

@description('Name of the existing Application Insights component.')
param applicationInsightsName string

@description('URI of the Key Vault the app reads its secrets from.')
param keyVaultUri string

@description('Durable Functions task hub name (prefix of the Durable extension\'s tables, queues and blob containers).')
param taskHubName string

@description('Base URL of the vehicle API gateway.')
param vehicleApiBaseUrl string

@description('Upper bound of instances the plan scales the app out to.')
param maximumInstanceCount int

@description('Memory of each instance, in MB.')
param instanceMemoryMB int

@description('Tags applied to every resource.')
param tags object

@description('Service name azd uses to find the app (tag "azd-service-name").')
param azdServiceName string

resource storageAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: functionAppName
  location: location
  tags: union(tags, { 'azd-service-name': azdServiceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientCertEnabled: false
    publicNetworkAccess: 'Enabled'
    functionAppConfig: {
      // Flex Consumption runs the package it finds in this container (azd, or
      // `az functionapp deployment source config-zip`, uploads it there); the platform reads it
      // with the app's system-assigned identity.
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageAccount.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'SystemAssignedIdentity'
          }
        }
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
  }
}

resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: {
    // Functions host, Durable Functions (Azure Storage backend) and the app reach the storage
    // account by managed identity: the account name only, never a key. The Durable extension
    // uses this same connection.
    AzureWebJobsStorage__accountName: storageAccount.name
    AzureWebJobsStorage__credential: 'managedidentity'
    // Overrides extensions.durableTask.hubName of host.json.
    AzureFunctionsJobHost__extensions__durableTask__hubName: taskHubName
    KeyVault__VaultUri: keyVaultUri
    VehicleApi__BaseUrl: vehicleApiBaseUrl
    // The app builds the links of its responses (Location, statusQueryGetUri, pinPostUri) from it.
    Commands__PublicBaseUrl: 'https://${functionApp.properties.defaultHostName}'
    APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
    // Local auth is disabled on the component: telemetry is sent with an Entra ID token of the
    // system-assigned identity.
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD'
  }
}

// No basic (user name / password) publishing credentials: deployments authenticate with Entra ID.
resource ftpPublishingPolicy 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPublishingPolicy 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'scm'
  properties: {
    allow: false
  }
}

@description('Name of the function app.')
output functionAppName string = functionApp.name

@description('Default host name of the function app.')
output defaultHostName string = functionApp.properties.defaultHostName

@description('Object id of the app\'s system-assigned managed identity.')
output principalId string = functionApp.identity.principalId
