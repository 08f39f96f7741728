using System.Text.Json;
using System.Text.RegularExpressions;

namespace Workflow.Infra.Tests;

/// <summary>What the compiled ARM template deploys: plan, app, storage, vault, monitoring, roles, settings, outputs.</summary>
[Collection(BicepCollectionDefinition.Name)]
public sealed partial class TemplateTests(BicepFixture bicep)
{
    /// <summary>The app settings the isolated-worker app, the Functions host and the Durable extension read in Azure, and nothing else.</summary>
    private static readonly string[] ExpectedAppSettings =
    [
        "AzureWebJobsStorage__accountName",
        "AzureWebJobsStorage__credential",
        "AzureFunctionsJobHost__extensions__durableTask__hubName",
        "KeyVault__VaultUri",
        "VehicleApi__BaseUrl",
        "Commands__PublicBaseUrl",
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
        "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
    ];

    /// <summary>
    /// Settings that must not be there: what the custom handler read (the hub name under its old key,
    /// the function key the app used to check itself), what Flex Consumption rejects (the worker
    /// runtime and extension version come from functionAppConfig), and key-based storage.
    /// </summary>
    private static readonly string[] ForbiddenAppSettings =
    [
        "DurableTask__HubName",
        "Functions__DefaultKey",
        "Functions__PublicBaseUrl",
        "FUNCTIONS_WORKER_RUNTIME",
        "FUNCTIONS_EXTENSION_VERSION",
        "WEBSITE_RUN_FROM_PACKAGE",
        "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING",
        "WEBSITE_CONTENTSHARE",
        "DEPLOYMENT_STORAGE_CONNECTION_STRING",
        "AzureWebJobsStorage",
        "AzureWebJobsStorage__clientId",
        "AzureWebJobsSecretStorageType",
        "APPINSIGHTS_INSTRUMENTATIONKEY",
    ];

    private static readonly string[] CustomHandlerWords = ["customHandler", "custom handler", "'custom'", "\"custom\"", "functions-default-key", "functionsDefaultKey", "FUNCTIONS_DEFAULT_KEY", "PackageFunctionApp"];

    private static readonly string[] CustomHandlerSettings = ["DurableTask__HubName", "Functions__DefaultKey"];

    public static TheoryData<string> AppSettingNames => [.. ExpectedAppSettings];

    public static TheoryData<string> ForbiddenAppSettingNames => [.. ForbiddenAppSettings];

    private ArmResource Single(string type) => Assert.Single(bicep.Resources, r => r.Type == type);

    private ArmResource FunctionApp => Single("Microsoft.Web/sites");

    /// <summary>The site's one <c>config/appsettings</c> resource, which sets the whole list of app settings.</summary>
    private ArmResource AppSettingsResource => Single("Microsoft.Web/sites/config");

    private Dictionary<string, string> AppSettings => AppSettingsResource.Properties
        .EnumerateObject()
        .ToDictionary(p => p.Name, p => p.Value.ToString(), StringComparer.Ordinal);

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
    public void FunctionAppRunsTheDotnetIsolatedWorkerOnDotnet10()
    {
        var runtime = FunctionApp.Get("properties.functionAppConfig.runtime");
        Assert.Equal("dotnet-isolated", runtime.GetProperty("name").GetString());
        Assert.Equal("10.0", runtime.GetProperty("version").GetString());
        Assert.Equal(["name", "version"], runtime.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void AppSettingsAreOneConfigResourceOfTheSiteAndNotInSiteConfig()
    {
        // One place for the settings: the config/appsettings resource (it can read the site's own
        // default host name, which siteConfig of the site itself cannot).
        var config = AppSettingsResource;
        Assert.Equal("[format('{0}/{1}', parameters('functionAppName'), 'appsettings')]", config.Name);
        Assert.Equal(FunctionApp.ModuleName, config.ModuleName);
        Assert.Contains(
            config.Get("dependsOn").EnumerateArray().Select(d => d.GetString()),
            d => d == "[resourceId('Microsoft.Web/sites', parameters('functionAppName'))]");

        var siteConfig = FunctionApp.Get("properties.siteConfig");
        Assert.False(siteConfig.TryGetProperty("appSettings", out _), "App settings belong to the config/appsettings resource only.");
        Assert.False(siteConfig.TryGetProperty("connectionStrings", out _));
        Assert.False(siteConfig.TryGetProperty("linuxFxVersion", out _), "Flex Consumption takes the runtime from functionAppConfig.runtime.");
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

        Assert.Equal("[parameters('taskHubName')]", settings["AzureFunctionsJobHost__extensions__durableTask__hubName"]);
        Assert.Equal("[parameters('taskHubName')]", ModuleArgument("functionApp", "taskHubName"));
        Assert.Equal("VehicleCommands", MainParameter("taskHubName").GetProperty("defaultValue").GetString());

        Assert.Equal("[parameters('keyVaultUri')]", settings["KeyVault__VaultUri"]);
        Assert.Contains(".outputs.keyVaultUri.value", ModuleArgument("functionApp", "keyVaultUri"), StringComparison.Ordinal);

        Assert.Equal("[parameters('vehicleApiBaseUrl')]", settings["VehicleApi__BaseUrl"]);
        Assert.Equal("[parameters('vehicleApiBaseUrl')]", ModuleArgument("functionApp", "vehicleApiBaseUrl"));
        Assert.False(MainParameter("vehicleApiBaseUrl").TryGetProperty("defaultValue", out _), "The vehicle API URL is a required parameter.");

        // https:// and the app's own default host name, read from the site once it exists.
        Assert.Matches(@"^\[format\('https://\{0\}', reference\(resourceId\('Microsoft\.Web/sites', parameters\('functionAppName'\)\), '[^']+'\)\.defaultHostName\)\]$", settings["Commands__PublicBaseUrl"]);

        Assert.Matches(@"^\[reference\(resourceId\('Microsoft\.Insights/components', parameters\('applicationInsightsName'\)\), '[^']+'\)\.ConnectionString\]$", settings["APPLICATIONINSIGHTS_CONNECTION_STRING"]);
        Assert.Equal(ModuleArgument("monitoring", "applicationInsightsName"), ModuleArgument("functionApp", "applicationInsightsName"));
        Assert.Equal("Authorization=AAD", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
    }

    [Theory]
    [MemberData(nameof(ForbiddenAppSettingNames))]
    public void AppSettingIsNotSet(string name)
    {
        Assert.DoesNotContain(AppSettings.Keys, key => string.Equals(key, name, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void NothingOfTheCustomHandlerIsLeft()
    {
        // Neither in the compiled template (descriptions included), nor in the parameter file, nor
        // in the Bicep sources. Setting names are compared exactly: the hub name's new setting
        // ends in "durableTask__hubName", which is fine.
        var texts = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["compiled template"] = bicep.Build.StandardOutput,
            ["compiled parameter file"] = bicep.Parameters.GetRawText(),
        };
        foreach (var file in Directory.GetFiles(bicep.InfraDirectory, "*.bicep*", SearchOption.AllDirectories))
        {
            texts[Path.GetRelativePath(bicep.RepositoryRoot, file)] = File.ReadAllText(file);
        }

        foreach (var (where, text) in texts)
        {
            foreach (var remnant in CustomHandlerWords)
            {
                Assert.False(text.Contains(remnant, StringComparison.OrdinalIgnoreCase), $"{where} still contains '{remnant}'.");
            }

            foreach (var remnant in CustomHandlerSettings)
            {
                Assert.False(text.Contains(remnant, StringComparison.Ordinal), $"{where} still contains '{remnant}'.");
            }
        }
    }

    [Theory]
    [InlineData("vehicle-api-client-id", "vehicleApiClientId")]
    [InlineData("vehicle-api-client-secret", "vehicleApiClientSecret")]
    [InlineData("data-protection-key", "dataProtectionKey")]
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
    public void VaultHoldsOnlyTheAppsThreeSecretsAndNoFunctionKey()
    {
        // The Functions host keeps and enforces the function keys itself now: no key in the vault.
        var secrets = bicep.Resources.Where(r => r.Type == "Microsoft.KeyVault/vaults/secrets").Select(r => r.Name).ToList();
        Assert.Equal(3, secrets.Count);
        foreach (var name in new[] { "vehicle-api-client-id", "vehicle-api-client-secret", "data-protection-key" })
        {
            Assert.Single(secrets, s => s.Contains($"'{name}'", StringComparison.Ordinal));
        }

        Assert.False(bicep.Template.GetProperty("parameters").TryGetProperty("functionsDefaultKey", out _));
        Assert.False(ArmTemplate.Module(bicep.Template, "keyVault").Properties.GetProperty("parameters").TryGetProperty("functionsDefaultKey", out _));
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
        Assert.Contains(".outputs.keyVaultName.value", outputs.GetProperty("AZURE_KEY_VAULT_NAME").GetProperty("value").GetString()!, StringComparison.Ordinal);
        Assert.Contains(".outputs.storageAccountName.value", outputs.GetProperty("AZURE_STORAGE_ACCOUNT_NAME").GetProperty("value").GetString()!, StringComparison.Ordinal);
        Assert.Contains(".outputs.applicationInsightsName.value", outputs.GetProperty("APPLICATIONINSIGHTS_NAME").GetProperty("value").GetString()!, StringComparison.Ordinal);
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
