using System.Text.Json;
using System.Text.RegularExpressions;

namespace Workflow.Infra.Tests;

/// <summary>No key, connection string or secret is read, configured or output anywhere in the template.</summary>
[Collection(BicepCollectionDefinition.Name)]
public sealed partial class SecurityTests(BicepFixture bicep)
{
    [Fact]
    public void TemplateNeverCallsAListFunction()
    {
        // listKeys, listAccountSas, listServiceSas, listSecrets...: every way to pull a key into a deployment.
        var calls = ListFunctionCall().Matches(bicep.Build.StandardOutput).Select(m => m.Value).ToList();
        Assert.True(calls.Count == 0, "The template reads keys: " + string.Join(", ", calls));
        Assert.DoesNotContain("listKeys(", bicep.Build.StandardOutput, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void StorageSharedKeyAccessIsOff()
    {
        var account = Assert.Single(bicep.Resources, r => r.Type == "Microsoft.Storage/storageAccounts");
        Assert.False(account.Get("properties.allowSharedKeyAccess").GetBoolean());
    }

    [Fact]
    public void AppSettingsHoldNoConnectionStringKeyOrSecret()
    {
        var app = Assert.Single(bicep.Resources, r => r.Type == "Microsoft.Web/sites");
        var config = Assert.Single(bicep.Resources, r => r.Type == "Microsoft.Web/sites/config");
        var settings = config.Properties.EnumerateObject().ToList();
        Assert.NotEmpty(settings);
        foreach (var setting in settings)
        {
            var name = setting.Name;
            var value = setting.Value.ToString();
            Assert.NotEqual("AzureWebJobsStorage", name); // the key-based connection string setting
            Assert.False(name.Contains("ConnectionString", StringComparison.OrdinalIgnoreCase) && name != "APPLICATIONINSIGHTS_CONNECTION_STRING", name);
            foreach (var forbidden in new[] { "AccountKey", "SharedAccessSignature", "DefaultEndpointsProtocol", "InstrumentationKey", "list", "secret", "@Microsoft.KeyVault" })
            {
                Assert.False(value.Contains(forbidden, StringComparison.OrdinalIgnoreCase), $"App setting {name} = {value} contains '{forbidden}'.");
            }
        }

        // The appsettings resource is the only config resource: nothing adds settings or connection
        // strings behind its back (no config/connectionstrings, no siteConfig.appSettings).
        Assert.Equal("[format('{0}/{1}', parameters('functionAppName'), 'appsettings')]", config.Name);
        Assert.Single(bicep.Resources, r => r.Type.StartsWith("Microsoft.Web/sites/config", StringComparison.OrdinalIgnoreCase));
        Assert.False(app.Properties.GetProperty("siteConfig").TryGetProperty("appSettings", out _));
        Assert.False(app.Properties.GetProperty("siteConfig").TryGetProperty("connectionStrings", out _));
    }

    [Fact]
    public void NoOutputCarriesASecret()
    {
        foreach (var (module, template) in ArmTemplate.AllTemplates(bicep.Template))
        {
            if (!template.TryGetProperty("outputs", out var outputs))
            {
                continue;
            }

            var secureParameters = template.TryGetProperty("parameters", out var parameters)
                ? parameters.EnumerateObject()
                    .Where(p => p.Value.GetProperty("type").GetString()!.StartsWith("secure", StringComparison.OrdinalIgnoreCase))
                    .Select(p => p.Name)
                    .ToList()
                : [];
            foreach (var output in outputs.EnumerateObject())
            {
                var where = $"output {output.Name} of module {module}";
                Assert.False(output.Value.GetProperty("type").GetString()!.StartsWith("secure", StringComparison.OrdinalIgnoreCase), where);
                var value = output.Value.GetProperty("value").ToString();
                foreach (var forbidden in new[] { "list", "ConnectionString", "InstrumentationKey", "secret", "password", "key'" })
                {
                    Assert.False(value.Contains(forbidden, StringComparison.OrdinalIgnoreCase), $"{where} = {value} contains '{forbidden}'.");
                }

                Assert.All(secureParameters, p => Assert.DoesNotContain($"parameters('{p}')", value, StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public void SecretsAreSecureParametersAtEveryLevel()
    {
        foreach (var (module, template) in ArmTemplate.AllTemplates(bicep.Template))
        {
            if (!template.TryGetProperty("parameters", out var parameters))
            {
                continue;
            }

            foreach (var parameter in parameters.EnumerateObject())
            {
                var looksSecret = SecretLikeName().IsMatch(parameter.Name);
                var type = parameter.Value.GetProperty("type").GetString()!;
                Assert.False(
                    looksSecret && !type.StartsWith("secure", StringComparison.OrdinalIgnoreCase),
                    $"Parameter {parameter.Name} of module {module} looks like a secret but is {type}.");
                if (type.StartsWith("secure", StringComparison.OrdinalIgnoreCase) && parameter.Value.TryGetProperty("defaultValue", out var defaultValue))
                {
                    Assert.True(defaultValue.ValueKind == JsonValueKind.String && defaultValue.GetString()!.Length == 0, $"Secure parameter {parameter.Name} has a default value.");
                }
            }
        }
    }

    [Fact]
    public void KeyVaultIsRbacOnlyWithPurgeProtection()
    {
        var vault = Assert.Single(bicep.Resources, r => r.Type == "Microsoft.KeyVault/vaults");
        Assert.True(vault.Get("properties.enableRbacAuthorization").GetBoolean());
        Assert.True(vault.Get("properties.enablePurgeProtection").GetBoolean());
    }

    [GeneratedRegex(@"\blist[A-Za-z]*\(", RegexOptions.IgnoreCase)]
    private static partial Regex ListFunctionCall();

    [GeneratedRegex(@"(secret|password|clientId|dataProtectionKey|functionKey|DefaultKey)", RegexOptions.IgnoreCase)]
    private static partial Regex SecretLikeName();
}
