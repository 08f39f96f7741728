using System.Text.Json;
using System.Text.RegularExpressions;

namespace Workflow.Infra.Tests;

/// <summary>What the compiled ARM template deploys: plan, app, storage, vault, monitoring, roles, settings, outputs.</summary>
[Collection(BicepCollectionDefinition.Name)]
public sealed partial class TemplateTests(BicepFixture bicep)
{
    /// <summary>The app settings the app and the Functions host read in Azure, and nothing else.</summary>
    private static readonly string[] ExpectedAppSettings =
    [
        "AzureWebJobsStorage__accountName",
        "AzureWebJobsStorage__credential",
        "DurableTask__HubName",
        "KeyVault__VaultUri",
        "VehicleApi__BaseUrl",
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
        "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
    ];

    public static TheoryData<string> AppSettingNames => [.. ExpectedAppSettings];

    private ArmResource Single(string type) => Assert.Single(bicep.Resources, r => r.Type == type);

    private ArmResource FunctionApp => Single("Microsoft.Web/sites");

    private Dictionary<string, string> AppSettings => FunctionApp.Get("properties.siteConfig.appSettings")
        .EnumerateArray()
        .ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("value").ToString());

    private JsonElement MainParameter(string name) => ArmTemplate.Get(bicep.Template, "parameters." + name);

    /// <summary>The value a module's caller passes for one of the module's parameters.</summary>
    private string ModuleArgument(string module, string parameter) =>
        ArmTemplate.Module(bicep.Template, module).GetString($"properties.parameters.{parameter}.value");

    [Fact]
    public void PlanIsFlexConsumptionOnLinux()
    {
        var plan = Single("Microsoft.Web/serverfarms");
        Assert.Equal("FC1", plan.GetString("sku.name"));
        Assert.Equal("FlexConsumption", plan.GetString("sku.tier"));
        Assert.True(plan.Get("properties.reserved").GetBoolean(), "A Flex Consumption plan is Linux: reserved must be true.");
    }

    [Fact]
    public void FunctionAppIsALinuxFunctionAppOnThePlanWithASystemAssignedIdentity()
    {
        var app = FunctionApp;
        Assert.Equal("functionapp,linux", app.GetString("kind"));
        Assert.Equal("SystemAssigned", app.GetString("identity.type"));
        Assert.Contains("Microsoft.Web/serverfarms", app.GetString("properties.serverFarmId"), StringComparison.Ordinal);

        // azd finds the app of service "api" by this tag.
        Assert.Contains("createObject('azd-service-name', parameters('azdServiceName'))", app.GetString("tags"), StringComparison.Ordinal);
        Assert.Equal("api", ModuleArgument("functionApp", "azdServiceName"));
    }

    [Fact]
    public void FunctionAppRunsACustomHandler()
    {
        Assert.Equal("custom", FunctionApp.GetString("properties.functionAppConfig.runtime.name"));
        Assert.Equal("1.0", FunctionApp.GetString("properties.functionAppConfig.runtime.version"));
    }

    [Fact]
    public void DeploymentPackageIsABlobContainerReachedWithTheSystemAssignedIdentity()
    {
        var storage = FunctionApp.Get("properties.functionAppConfig.deployment.storage");
        Assert.Equal("blobContainer", storage.GetProperty("type").GetString());
        Assert.Equal("SystemAssignedIdentity", storage.GetProperty("authentication").GetProperty("type").GetString());
        Assert.False(storage.GetProperty("authentication").TryGetProperty("storageAccountConnectionStringName", out _));
        var value = storage.GetProperty("value").GetString()!;
        Assert.Contains("primaryEndpoints.blob", value, StringComparison.Ordinal);
        Assert.Contains("parameters('deploymentContainerName')", value, StringComparison.Ordinal);

        var container = Single("Microsoft.Storage/storageAccounts/blobServices/containers");
        Assert.Contains("parameters('deploymentContainerName')", container.Name, StringComparison.Ordinal);
        Assert.Equal("None", container.GetString("properties.publicAccess"));
        Assert.Equal(
            ModuleArgument("storage", "deploymentContainerName"),
            ModuleArgument("functionApp", "deploymentContainerName"));
    }

    [Fact]
    public void ScaleAndConcurrencyComeFromParameters()
    {
        Assert.Equal("[parameters('maximumInstanceCount')]", FunctionApp.GetString("properties.functionAppConfig.scaleAndConcurrency.maximumInstanceCount"));
        Assert.Equal("[parameters('instanceMemoryMB')]", FunctionApp.GetString("properties.functionAppConfig.scaleAndConcurrency.instanceMemoryMB"));
        Assert.Equal("[parameters('maximumInstanceCount')]", ModuleArgument("functionApp", "maximumInstanceCount"));
        Assert.Equal("[parameters('instanceMemoryMB')]", ModuleArgument("functionApp", "instanceMemoryMB"));

        Assert.Equal("int", MainParameter("maximumInstanceCount").GetProperty("type").GetString());
        Assert.Equal(100, MainParameter("maximumInstanceCount").GetProperty("defaultValue").GetInt32());
        Assert.Equal(2048, MainParameter("instanceMemoryMB").GetProperty("defaultValue").GetInt32());
        Assert.Equal([512, 2048, 4096], MainParameter("instanceMemoryMB").GetProperty("allowedValues").EnumerateArray().Select(v => v.GetInt32()));
    }

    [Fact]
    public void FunctionAppIsHttpsOnlyWithTls12AndNoFtp()
    {
        var app = FunctionApp;
        Assert.True(app.Get("properties.httpsOnly").GetBoolean());
        Assert.Equal("1.2", app.GetString("properties.siteConfig.minTlsVersion"));
        Assert.Equal("Disabled", app.GetString("properties.siteConfig.ftpsState"));

        var policies = bicep.Resources.Where(r => r.Type == "Microsoft.Web/sites/basicPublishingCredentialsPolicies").ToList();
        Assert.Equal(2, policies.Count);
        Assert.All(policies, policy => Assert.False(policy.Get("properties.allow").GetBoolean()));
    }

    [Theory]
    [MemberData(nameof(AppSettingNames))]
    public void AppSettingIsSet(string name)
    {
        Assert.True(AppSettings.TryGetValue(name, out var value), $"App setting {name} is missing; the app has: {string.Join(", ", AppSettings.Keys)}");
        Assert.False(string.IsNullOrWhiteSpace(value));
    }

    [Fact]
    public void AppSettingsAreExactlyTheOnesTheAppReads()
    {
        Assert.Equal(ExpectedAppSettings.Order(StringComparer.Ordinal), AppSettings.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void AppSettingValuesComeFromTheRightSources()
    {
        var settings = AppSettings;
        Assert.Equal("[parameters('storageAccountName')]", settings["AzureWebJobsStorage__accountName"]);
        Assert.Equal(ModuleArgument("storage", "storageAccountName"), ModuleArgument("functionApp", "storageAccountName"));
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);

        Assert.Equal("[parameters('taskHubName')]", settings["DurableTask__HubName"]);
        Assert.Equal("[parameters('taskHubName')]", ModuleArgument("functionApp", "taskHubName"));
        Assert.Equal("VehicleCommands", MainParameter("taskHubName").GetProperty("defaultValue").GetString());

        Assert.Equal("[parameters('keyVaultUri')]", settings["KeyVault__VaultUri"]);
        Assert.Contains(".outputs.keyVaultUri.value", ModuleArgument("functionApp", "keyVaultUri"), StringComparison.Ordinal);

        Assert.Equal("[parameters('vehicleApiBaseUrl')]", settings["VehicleApi__BaseUrl"]);
        Assert.Equal("[parameters('vehicleApiBaseUrl')]", ModuleArgument("functionApp", "vehicleApiBaseUrl"));
        Assert.False(MainParameter("vehicleApiBaseUrl").TryGetProperty("defaultValue", out _), "The vehicle API URL is a required parameter.");

        Assert.Matches(@"^\[reference\(resourceId\('Microsoft\.Insights/components', parameters\('applicationInsightsName'\)\), '[^']+'\)\.ConnectionString\]$", settings["APPLICATIONINSIGHTS_CONNECTION_STRING"]);
        Assert.Equal("Authorization=AAD", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
    }

    [Fact]
    public void StorageAccountAllowsIdentityAccessOnly()
    {
        var account = Single("Microsoft.Storage/storageAccounts");
        Assert.False(account.Get("properties.allowSharedKeyAccess").GetBoolean());
        Assert.True(account.Get("properties.defaultToOAuthAuthentication").GetBoolean());
        Assert.False(account.Get("properties.allowBlobPublicAccess").GetBoolean());
        Assert.Equal("TLS1_2", account.GetString("properties.minimumTlsVersion"));
        Assert.True(account.Get("properties.supportsHttpsTrafficOnly").GetBoolean());
        Assert.Equal("StorageV2", account.GetString("kind"));
    }

    [Fact]
    public void KeyVaultUsesRbacWithSoftDeleteAndPurgeProtection()
    {
        var vault = Single("Microsoft.KeyVault/vaults");
        Assert.True(vault.Get("properties.enableRbacAuthorization").GetBoolean());
        Assert.True(vault.Get("properties.enableSoftDelete").GetBoolean());
        Assert.True(vault.Get("properties.enablePurgeProtection").GetBoolean());
        Assert.False(vault.Properties.TryGetProperty("accessPolicies", out _), "Access is by RBAC only.");
        Assert.Equal("[parameters('softDeleteRetentionInDays')]", vault.GetString("properties.softDeleteRetentionInDays"));
        Assert.Equal("[parameters('keyVaultSoftDeleteRetentionInDays')]", ModuleArgument("keyVault", "softDeleteRetentionInDays"));

        var retention = MainParameter("keyVaultSoftDeleteRetentionInDays");
        Assert.Equal(7, retention.GetProperty("minValue").GetInt32());
        Assert.Equal(90, retention.GetProperty("maxValue").GetInt32());
    }

    [Theory]
    [InlineData("vehicle-api-client-id", "vehicleApiClientId")]
    [InlineData("vehicle-api-client-secret", "vehicleApiClientSecret")]
    [InlineData("data-protection-key", "dataProtectionKey")]
    [InlineData("functions-default-key", "functionsDefaultKey")]
    public void OptionalSecretIsWrittenOnlyWhenItsSecureParameterIsGiven(string secretName, string parameter)
    {
        var secret = Assert.Single(bicep.Resources, r => r.Type == "Microsoft.KeyVault/vaults/secrets" && r.Name.Contains($"'{secretName}'", StringComparison.Ordinal));
        Assert.Equal($"[not(empty(parameters('{parameter}')))]", secret.Condition);
        Assert.Equal($"[parameters('{parameter}')]", secret.GetString("properties.value"));

        var moduleParameter = ArmTemplate.Get(secret.Template, "parameters." + parameter);
        Assert.Equal("securestring", moduleParameter.GetProperty("type").GetString(), ignoreCase: true);
        Assert.Equal($"[parameters('{parameter}')]", ModuleArgument("keyVault", parameter));

        var mainParameter = MainParameter(parameter);
        Assert.Equal("securestring", mainParameter.GetProperty("type").GetString(), ignoreCase: true);
        Assert.Equal(string.Empty, mainParameter.GetProperty("defaultValue").GetString());
    }

    [Fact]
    public void MonitoringIsWorkspaceBasedApplicationInsightsWithoutLocalAuth()
    {
        Single("Microsoft.OperationalInsights/workspaces");
        var insights = Single("Microsoft.Insights/components");
        Assert.True(insights.Get("properties.DisableLocalAuth").GetBoolean());
        Assert.Contains("Microsoft.OperationalInsights/workspaces", insights.GetString("properties.WorkspaceResourceId"), StringComparison.Ordinal);
        Assert.Equal("web", insights.GetString("properties.Application_Type"));
    }

    [Theory]
    [InlineData("b7e6dc6d-f1e8-4753-8033-0f276bb0955b", "Microsoft.Storage/storageAccounts", "storageAccountName")] // Storage Blob Data Owner
    [InlineData("974c5e8b-45b9-4653-ba55-5f855dd0fb88", "Microsoft.Storage/storageAccounts", "storageAccountName")] // Storage Queue Data Contributor
    [InlineData("0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", "Microsoft.Storage/storageAccounts", "storageAccountName")] // Storage Table Data Contributor
    [InlineData("4633458b-17de-408a-b874-0445c86b69e6", "Microsoft.KeyVault/vaults", "keyVaultName")] // Key Vault Secrets User
    [InlineData("3913510d-42f4-4e42-8a64-420c390055eb", "Microsoft.Insights/components", "applicationInsightsName")] // Monitoring Metrics Publisher
    public void AppIdentityHasRoleOnScopeWithADeterministicName(string roleDefinitionGuid, string scopeType, string scopeNameParameter)
    {
        var assignment = Assert.Single(
            bicep.Resources.Where(r => r.Type == "Microsoft.Authorization/roleAssignments"),
            r => r.ResolveVariable(r.GetString("properties.roleDefinitionId")).Contains(roleDefinitionGuid, StringComparison.OrdinalIgnoreCase)
                && r.GetString("properties.principalId") == "[parameters('principalId')]");

        var scope = $"resourceId('{scopeType}', parameters('{scopeNameParameter}'))";
        Assert.Equal($"[{scope}]", assignment.GetString("scope"));
        Assert.Equal("ServicePrincipal", assignment.GetString("properties.principalType"));

        // guid(scope id, principal id, role definition id): the same inputs always give the same name.
        var roleDefinitionId = assignment.GetString("properties.roleDefinitionId");
        Assert.Equal($"[guid({scope}, parameters('principalId'), {roleDefinitionId.Trim('[', ']')})]", assignment.Name);
        Assert.Matches(RoleDefinitionExpression(), assignment.ResolveVariable(roleDefinitionId));
        Assert.Equal(
            $"[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '{roleDefinitionGuid}')]",
            assignment.ResolveVariable(roleDefinitionId));

        // principalId is the function app's system-assigned identity, handed over by the app module.
        var principal = ModuleArgument("roleAssignments", "principalId");
        Assert.Contains("functionApp-", principal, StringComparison.Ordinal);
        Assert.EndsWith(".outputs.principalId.value]", principal, StringComparison.Ordinal);
        var appModuleOutput = ArmTemplate.Get(FunctionApp.Template, "outputs.principalId.value").GetString()!;
        Assert.Contains("Microsoft.Web/sites", appModuleOutput, StringComparison.Ordinal);
        Assert.EndsWith(".identity.principalId]", appModuleOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryRoleAssignmentNameIsAGuidOfScopePrincipalAndRole()
    {
        var assignments = bicep.Resources.Where(r => r.Type == "Microsoft.Authorization/roleAssignments").ToList();
        Assert.NotEmpty(assignments);
        Assert.All(assignments, a => Assert.Matches(GuidNameExpression(), a.Name));
        Assert.Equal(assignments.Count, assignments.Select(a => a.Name).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void OutputsGiveAppNameUrlAndVaultUri()
    {
        var outputs = bicep.Template.GetProperty("outputs");
        Assert.Contains(".outputs.functionAppName.value", outputs.GetProperty("SERVICE_API_NAME").GetProperty("value").GetString()!, StringComparison.Ordinal);
        var url = outputs.GetProperty("SERVICE_API_URI").GetProperty("value").GetString()!;
        Assert.StartsWith("[format('https://{0}', ", url, StringComparison.Ordinal);
        Assert.Contains(".outputs.defaultHostName.value", url, StringComparison.Ordinal);
        Assert.Contains(".outputs.keyVaultUri.value", outputs.GetProperty("AZURE_KEY_VAULT_ENDPOINT").GetProperty("value").GetString()!, StringComparison.Ordinal);
    }

    [Fact]
    public void ParametersHaveSensibleDefaults()
    {
        Assert.Equal("[resourceGroup().location]", MainParameter("location").GetProperty("defaultValue").GetString());
        Assert.Equal("dev", MainParameter("environmentName").GetProperty("defaultValue").GetString());
        Assert.Equal(8, MainParameter("namePrefix").GetProperty("maxLength").GetInt32());
        Assert.Contains("uniqueString(", ArmTemplate.Get(bicep.Template, "variables.resourceToken").GetString()!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("storage", "storageAccountName", 24)]
    [InlineData("keyVault", "keyVaultName", 24)]
    [InlineData("functionApp", "functionAppName", 60)]
    public void ResourceNamesAreBoundedSoTheCompilerChecksTheirLength(string module, string parameter, int maxLength)
    {
        // bicep reports BCP335 ("may be too long") when a name can exceed the module's limit, and
        // the build must have no diagnostics at all (BicepToolingTests).
        var declared = ArmTemplate.Get(ArmTemplate.Module(bicep.Template, module).Properties, $"template.parameters.{parameter}");
        Assert.Equal(maxLength, declared.GetProperty("maxLength").GetInt32());
    }

    [GeneratedRegex(@"^\[subscriptionResourceId\('Microsoft\.Authorization/roleDefinitions', '[0-9a-f-]{36}'\)\]$")]
    private static partial Regex RoleDefinitionExpression();

    [GeneratedRegex(@"^\[guid\(resourceId\('[^']+', parameters\('[A-Za-z]+'\)\), parameters\('[A-Za-z]+'\), variables\('[A-Za-z]+'\)\)\]$")]
    private static partial Regex GuidNameExpression();
}
