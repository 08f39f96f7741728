// Flex Consumption (FC1, Linux) plan and the function app. The runtime is a custom handler:
// the Functions host starts the app's self-contained ASP.NET Core binary (host.json
// "customHandler"). The app reaches storage, Key Vault and Application Insights with its
// system-assigned managed identity only; no key or connection string is configured.

@description('Azure region of the resources.')
param location string

@description('Name of the Flex Consumption plan.')
param planName string

@description('Name of the function app (also the first label of its host name).')
@minLength(2)
@maxLength(60)
param functionAppName string

@description('Name of the existing storage account (AzureWebJobsStorage and durable state).')
param storageAccountName string

@description('Blob container of the storage account holding the deployment package.')
param deploymentContainerName string

@description('Name of the existing Application Insights component.')
param applicationInsightsName string

@description('URI of the Key Vault the app reads its secrets from.')
param keyVaultUri string

@description('Durable task hub name (prefix of the runtime\'s tables and queues).')
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
        name: 'custom'
        version: '1.0'
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
      appSettings: [
        // Host and app reach storage by managed identity: account name only, never a key.
        {
          name: 'AzureWebJobsStorage__accountName'
          value: storageAccount.name
        }
        {
          name: 'AzureWebJobsStorage__credential'
          value: 'managedidentity'
        }
        {
          name: 'DurableTask__HubName'
          value: taskHubName
        }
        {
          name: 'KeyVault__VaultUri'
          value: keyVaultUri
        }
        {
          name: 'VehicleApi__BaseUrl'
          value: vehicleApiBaseUrl
        }
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: applicationInsights.properties.ConnectionString
        }
        {
          // Local auth is disabled on the component: telemetry is sent with an Entra ID token
          // of the system-assigned identity.
          name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
          value: 'Authorization=AAD'
        }
      ]
    }
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
