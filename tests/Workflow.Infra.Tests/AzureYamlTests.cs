using System.Text.RegularExpressions;

namespace Workflow.Infra.Tests;

/// <summary>azure.yaml wires azd to infra/ and to the function app service "api".</summary>
[Collection(BicepCollectionDefinition.Name)]
public sealed partial class AzureYamlTests(BicepFixture bicep)
{
    private string Yaml => File.ReadAllText(Path.Combine(bicep.RepositoryRoot, "azure.yaml"));

    private static string Value(string yaml, string key)
    {
        var match = Regex.Match(yaml, $@"^\s*{Regex.Escape(key)}:\s*(?<value>\S.*?)\s*$", RegexOptions.Multiline, TimeSpan.FromSeconds(1));
        Assert.True(match.Success, $"azure.yaml has no '{key}:'.");
        return match.Groups["value"].Value;
    }

    [Fact]
    public void InfraIsTheBicepModuleMainInInfra()
    {
        var yaml = Yaml;
        Assert.Matches(ProjectName(), Value(yaml, "name"));
        Assert.Equal("bicep", Value(yaml, "provider"));
        Assert.Equal("infra", Value(yaml, "path"));
        Assert.Equal("main", Value(yaml, "module"));
    }

    [Fact]
    public void ApiServiceIsACustomHandlerFunctionAppBuiltByThePackageCommand()
    {
        var yaml = Yaml;
        Assert.Matches(@"(?m)^services:\s*\n\s+api:\s*$", yaml);
        var project = Value(yaml, "project");
        Assert.Equal("./functions/Workflow.Functions", project);
        Assert.True(Directory.Exists(Path.Combine(bicep.RepositoryRoot, project)), $"{project} does not exist.");
        Assert.Equal("function", Value(yaml, "host"));
        Assert.Equal("custom", Value(yaml, "language"));

        // The prepackage hook writes the zip that `dist` hands to azd (both relative to the project folder).
        var dist = Value(yaml, "dist");
        var runs = Regex.Matches(yaml, @"^\s*run:\s*(?<command>.+?)\s*$", RegexOptions.Multiline, TimeSpan.FromSeconds(1));
        Assert.NotEmpty(runs);
        Assert.All(runs, run =>
        {
            Assert.Contains("dotnet publish -c Release -r linux-x64 --self-contained -p:PackageFunctionApp=true", run.Groups["command"].Value, StringComparison.Ordinal);
            Assert.Contains($"-p:FunctionAppPackagePath={dist}", run.Groups["command"].Value, StringComparison.Ordinal);
        });
        Assert.Equal(
            Path.GetFullPath(Path.Combine(bicep.RepositoryRoot, "artifacts", "app.zip")),
            Path.GetFullPath(Path.Combine(bicep.RepositoryRoot, project, dist)));
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex ProjectName();
}
