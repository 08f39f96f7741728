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
    public void ApiServiceIsTheIsolatedWorkerFunctionAppPublishedByAzdsDotnetPackager()
    {
        var yaml = Yaml;
        Assert.Matches(@"(?m)^services:\s*\n\s+api:\s*$", yaml);
        var project = Value(yaml, "project");
        Assert.Equal("./functions/Workflow.Functions", project);
        var projectDirectory = Path.Combine(bicep.RepositoryRoot, project);
        Assert.True(Directory.Exists(projectDirectory), $"{project} does not exist.");
        Assert.True(File.Exists(Path.Combine(projectDirectory, "Workflow.Functions.csproj")), $"{project} has no Workflow.Functions.csproj for `dotnet publish`.");
        Assert.Equal("function", Value(yaml, "host"));
        Assert.Equal("dotnet", Value(yaml, "language"));
    }

    [Fact]
    public void ApiServiceHasNoCustomPackagingLeft()
    {
        // azd's dotnet packager publishes the project itself: no custom language, no hook that
        // builds a zip, no `dist` pointing at one.
        var keys = Regex.Matches(Yaml, @"^\s*(?<key>[A-Za-z_][A-Za-z0-9_-]*):", RegexOptions.Multiline, TimeSpan.FromSeconds(1))
            .Select(m => m.Groups["key"].Value)
            .ToList();
        foreach (var forbidden in new[] { "hooks", "prepackage", "postpackage", "dist", "run", "outputPath" })
        {
            Assert.DoesNotContain(forbidden, keys);
        }

        var content = string.Join('\n', Yaml.Split('\n').Where(line => !line.TrimStart().StartsWith('#')));
        foreach (var remnant in new[] { "custom", "PackageFunctionApp", "app.zip", "--self-contained" })
        {
            Assert.DoesNotContain(remnant, content, StringComparison.OrdinalIgnoreCase);
        }
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex ProjectName();
}
