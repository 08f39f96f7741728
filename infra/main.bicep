// Vehicle-command workflow: a .NET isolated-worker Azure Functions app (dotnet-isolated 10.0) with
// Durable Functions on the Flex Consumption plan, with identity-only Azure Storage (host, task hub,
// deployment package), Key Vault (secrets) and Application Insights.
// Deploy into an existing resource group:
//   az deployment group create -g <rg> -f infra/main.bicep -p infra/main.bicepparam
// or with the Azure Developer CLI: azd up (see infra/README.md).

targetScope = 'resourceGroup'

@description('Environment name (for example dev, test, prod); it seeds the unique resource names and is set as the "azd-env-name" tag.')
@minLength(1)
@maxLength(64)
param environmentName string = 'dev'

@description('Azure region of every resource; defaults to the resource group\'s region. It must offer the Flex Consumption plan.')
param location string = resourceGroup().location

@description('Short prefix of the resource names: 2-8 lowercase letters or digits.')
@minLength(2)
@maxLength(8)
param namePrefix string = 'vcmd'

@description('Durable Functions task hub name: prefix of the Durable extension\'s tables, queues and containers (app setting AzureFunctionsJobHost__extensions__durableTask__hubName). Letters and digits, starting with a letter.')
@minLength(3)
@maxLength(45)
param taskHubName string = 'VehicleCommands'

@description('Base URL of the vehicle API gateway (app setting VehicleApi__BaseUrl), for example https://vehicle-api.example.com/.')
@minLength(8)
param vehicleApiBaseUrl string

@description('Upper bound of instances the Flex Consumption plan scales the app out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Memory of each Flex Consumption instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Replication SKU of the storage account.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_RAGRS'
])
param storageSkuName string = 'Standard_LRS'

@description('Days a deleted Key Vault secret stays recoverable (soft delete; purge protection is always on).')
@minValue(7)
@maxValue(90)
param keyVaultSoftDeleteRetentionInDays int = 90

@description('Days the Log Analytics workspace keeps logs.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Optional object id of a user or group granted "Key Vault Secrets Officer" on the vault, to put the secrets in; empty for none.')
param keyVaultOfficerPrincipalId string = ''

@description('Principal type of keyVaultOfficerPrincipalId.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param keyVaultOfficerPrincipalType string = 'User'

@secure()
@description('Optional value of the Key Vault secret "vehicle-api-client-id"; empty leaves the secret as it is.')
param vehicleApiClientId string = ''

@secure()
@description('Optional value of the Key Vault secret "vehicle-api-client-secret"; empty leaves the secret as it is.')
param vehicleApiClientSecret string = ''

@secure()
@description('Optional value of the Key Vault secret "data-protection-key" (base64 of 32 random bytes: openssl rand -base64 32); empty leaves the secret as it is.')
param dataProtectionKey string = ''

@description('Tags added to every resource.')
param tags object = {}

var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var prefix = toLower(namePrefix)
var allTags = union(tags, { 'azd-env-name': environmentName })

// Name limits: storage account 3-24 lowercase alphanumerics, Key Vault 3-24, site 2-60.
var storageAccountName = 'st${prefix}${resourceToken}'
var keyVaultName = 'kv-${prefix}-${take(resourceToken, 11)}'
var functionAppName = 'func-${prefix}-${resourceToken}'
var planName = 'plan-${prefix}-${resourceToken}'
var logAnalyticsWorkspaceName = 'log-${prefix}-${resourceToken}'
var applicationInsightsName = 'appi-${prefix}-${resourceToken}'
var deploymentContainerName = 'app-package'

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring-${resourceToken}'
  params: {
    location: location
    logAnalyticsWorkspaceName: logAnalyticsWorkspaceName
    applicationInsightsName: applicationInsightsName
    logRetentionInDays: logRetentionInDays
    tags: allTags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage-${resourceToken}'
  params: {
    location: location
    storageAccountName: storageAccountName
    deploymentContainerName: deploymentContainerName
    skuName: storageSkuName
    tags: allTags
  }
}

module keyVault 'modules/keyVault.bicep' = {
  name: 'keyVault-${resourceToken}'
  params: {
    location: location
    keyVaultName: keyVaultName
    softDeleteRetentionInDays: keyVaultSoftDeleteRetentionInDays
    tags: allTags
    vehicleApiClientId: vehicleApiClientId
    vehicleApiClientSecret: vehicleApiClientSecret
    dataProtectionKey: dataProtectionKey
  }
}

module functionApp 'modules/functionApp.bicep' = {
  name: 'functionApp-${resourceToken}'
  params: {
    location: location
    planName: planName
    functionAppName: functionAppName
    storageAccountName: storageAccountName
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: applicationInsightsName
    keyVaultUri: keyVault.outputs.keyVaultUri
    taskHubName: taskHubName
    vehicleApiBaseUrl: vehicleApiBaseUrl
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    tags: allTags
    azdServiceName: 'api'
  }
  dependsOn: [
    storage
    monitoring
  ]
}

module roleAssignments 'modules/roleAssignments.bicep' = {
  name: 'roleAssignments-${resourceToken}'
  params: {
    // The identity's object id exists only once the app is created; the role assignment names
    // (guid(scope, principal, role)) therefore depend on it by design.
    #disable-next-line what-if-short-circuiting
    principalId: functionApp.outputs.principalId
    storageAccountName: storageAccountName
    keyVaultName: keyVaultName
    applicationInsightsName: applicationInsightsName
    keyVaultOfficerPrincipalId: keyVaultOfficerPrincipalId
    keyVaultOfficerPrincipalType: keyVaultOfficerPrincipalType
  }
  dependsOn: [
    storage
    monitoring
  ]
}

@description('Name of the function app (azd: SERVICE_API_NAME).')
output SERVICE_API_NAME string = functionApp.outputs.functionAppName

@description('Default URL of the function app: https:// and its default host name.')
output SERVICE_API_URI string = 'https://${functionApp.outputs.defaultHostName}'

@description('URI of the Key Vault holding the app\'s secrets.')
output AZURE_KEY_VAULT_ENDPOINT string = keyVault.outputs.keyVaultUri

@description('Name of the Key Vault (for az keyvault secret set --vault-name).')
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.keyVaultName

@description('Name of the storage account holding the durable state.')
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.storageAccountName

@description('Name of the Application Insights component (for az monitor app-insights query --app).')
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
