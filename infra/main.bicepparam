// Parameters for infra/main.bicep. Values come from environment variables so that the same file
// serves `azd up` (azd exports the environment's values) and
// `az deployment group create -g <rg> -f infra/main.bicep -p infra/main.bicepparam`.
// VEHICLE_API_BASE_URL is required; every other value has a default.
using './main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'dev')
param namePrefix = readEnvironmentVariable('NAME_PREFIX', 'vcmd')
param taskHubName = readEnvironmentVariable('DURABLE_TASK_HUB_NAME', 'VehicleCommands')
param vehicleApiBaseUrl = readEnvironmentVariable('VEHICLE_API_BASE_URL')
param maximumInstanceCount = 100
param instanceMemoryMB = 2048

// Grants "Key Vault Secrets Officer" to the deploying user (azd sets AZURE_PRINCIPAL_ID) so that
// they can put the secrets into the vault; leave unset for no such grant.
param keyVaultOfficerPrincipalId = readEnvironmentVariable('AZURE_PRINCIPAL_ID', '')
param keyVaultOfficerPrincipalType = readEnvironmentVariable('AZURE_PRINCIPAL_TYPE', 'User')

// Secrets are best put into the vault with `az keyvault secret set` (infra/README.md). These
// optional variables let a pipeline pass them at deployment instead; unset = leave as is.
param vehicleApiClientId = readEnvironmentVariable('VEHICLE_API_CLIENT_ID', '')
param vehicleApiClientSecret = readEnvironmentVariable('VEHICLE_API_CLIENT_SECRET', '')
param dataProtectionKey = readEnvironmentVariable('DATA_PROTECTION_KEY', '')
