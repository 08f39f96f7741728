using System.Text.Json;

namespace Workflow.Infra.Tests;

/// <summary>The real bicep CLI builds and lints the deployment without a single diagnostic.</summary>
[Collection(BicepCollectionDefinition.Name)]
public sealed class BicepToolingTests(BicepFixture bicep)
{
    [Fact]
    public void BuildOfMainBicepSucceedsWithoutDiagnostics()
    {
        Assert.True(bicep.Build.ExitCode == 0 && bicep.Build.StandardError.Trim().Length == 0, bicep.Build.Describe(includeStandardOutput: false));
        Assert.Equal(JsonValueKind.Object, bicep.Template.ValueKind);
    }

    [Fact]
    public void LintOfMainBicepReportsNoDiagnostics()
    {
        Assert.True(bicep.Lint.ExitCode == 0 && bicep.Lint.Diagnostics.Length == 0, bicep.Lint.Describe());
    }

    [Fact]
    public void ParameterFileBuildsAndLintsWithoutDiagnostics()
    {
        Assert.True(bicep.BuildParams.ExitCode == 0 && bicep.BuildParams.StandardError.Trim().Length == 0, bicep.BuildParams.Describe(includeStandardOutput: false));
        Assert.True(bicep.LintParams.ExitCode == 0 && bicep.LintParams.Diagnostics.Length == 0, bicep.LintParams.Describe());
    }

    [Fact]
    public void ParameterFileGivesTheDefaultsAndLeavesSecretsEmpty()
    {
        var values = bicep.Parameters.GetProperty("parameters");
        Assert.Equal(BicepFixture.VehicleApiBaseUrl, values.GetProperty("vehicleApiBaseUrl").GetProperty("value").GetString());
        Assert.Equal("VehicleCommands", values.GetProperty("taskHubName").GetProperty("value").GetString());
        foreach (var secret in new[] { "vehicleApiClientId", "vehicleApiClientSecret", "dataProtectionKey" })
        {
            Assert.Equal(string.Empty, values.GetProperty(secret).GetProperty("value").GetString());
        }

        Assert.False(values.TryGetProperty("functionsDefaultKey", out _), "The function key is the Functions host's own now; the vault has no copy.");
    }

    [Fact]
    public void EveryModuleIsUsedByMainSoLintAndBuildCoverIt()
    {
        var main = File.ReadAllText(Path.Combine(bicep.InfraDirectory, "main.bicep"));
        var modules = Directory.GetFiles(Path.Combine(bicep.InfraDirectory, "modules"), "*.bicep");
        Assert.NotEmpty(modules);
        foreach (var module in modules)
        {
            Assert.Contains($"'modules/{Path.GetFileName(module)}'", main, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("no-hardcoded-env-urls")]
    [InlineData("secure-parameter-default")]
    [InlineData("secure-params-in-nested-deploy")]
    [InlineData("secure-secrets-in-params")]
    [InlineData("outputs-should-not-contain-secrets")]
    [InlineData("use-secure-value-for-secure-inputs")]
    [InlineData("protect-commandtoexecute-secrets")]
    [InlineData("no-unused-params")]
    [InlineData("no-unused-vars")]
    [InlineData("no-unused-existing-resources")]
    [InlineData("no-hardcoded-location")]
    [InlineData("explicit-values-for-loc-params")]
    [InlineData("no-unnecessary-dependson")]
    [InlineData("use-resource-symbol-reference")]
    [InlineData("use-stable-resource-identifiers")]
    public void LinterRuleIsAnError(string rule)
    {
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(bicep.InfraDirectory, "bicepconfig.json")));
        var core = config.RootElement.GetProperty("analyzers").GetProperty("core");
        Assert.True(core.GetProperty("enabled").GetBoolean());
        Assert.Equal("error", core.GetProperty("rules").GetProperty(rule).GetProperty("level").GetString());
    }
}
