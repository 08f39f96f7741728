// Key Vault holding every secret the app reads. Access is by Azure RBAC only (no access
// policies); soft delete and purge protection keep a deleted secret or key recoverable.
// Each optional secret is written only when its value is given: a later deployment that omits
// a value leaves the secret (and its versions) in the vault untouched.

@description('Azure region of the resources.')
param location string

@description('Name of the Key Vault (3-24 characters).')
@minLength(3)
@maxLength(24)
param keyVaultName string

@description('Days a deleted vault or secret stays recoverable.')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int

@description('Tags applied to every resource.')
param tags object

@secure()
@description('Value of the "vehicle-api-client-id" secret; empty to leave the secret as it is.')
param vehicleApiClientId string = ''

@secure()
@description('Value of the "vehicle-api-client-secret" secret; empty to leave the secret as it is.')
param vehicleApiClientSecret string = ''

@secure()
@description('Value of the "data-protection-key" secret (base64 of 32 random bytes); empty to leave the secret as it is.')
param dataProtectionKey string = ''

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: keyVaultName
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    enablePurgeProtection: true
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource vehicleApiClientIdSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(vehicleApiClientId)) {
  parent: vault
  name: 'vehicle-api-client-id'
  properties: {
    value: vehicleApiClientId
    contentType: 'text/plain'
  }
}

resource vehicleApiClientSecretSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(vehicleApiClientSecret)) {
  parent: vault
  name: 'vehicle-api-client-secret'
  properties: {
    value: vehicleApiClientSecret
    contentType: 'text/plain'
  }
}

resource dataProtectionKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(dataProtectionKey)) {
  parent: vault
  name: 'data-protection-key'
  properties: {
    value: dataProtectionKey
    contentType: 'application/octet-stream; base64'
  }
}

@description('Name of the Key Vault.')
output keyVaultName string = vault.name

@description('URI of the Key Vault.')
output keyVaultUri string = vault.properties.vaultUri
