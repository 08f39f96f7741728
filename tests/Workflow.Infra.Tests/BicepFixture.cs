using System.Text.Json;

namespace Workflow.Infra.Tests;

/// <summary>
/// Compiles and lints the deployment once per test run with the real bicep CLI; every test of the
/// "bicep" collection reads the results.
/// </summary>
public sealed class BicepFixture : IAsyncLifetime
{
    /// <summary>Value given to the one required environment variable of main.bicepparam.</summary>
    public const string VehicleApiBaseUrl = "https://vehicle-api.example.test/";

    private JsonDocument? template;
    private JsonDocument? parameters;

    public string RepositoryRoot { get; } = FindRepositoryRoot();

    public string InfraDirectory => Path.Combine(RepositoryRoot, "infra");

    internal BicepRun Build { get; private set; } = null!;

    internal BicepRun Lint { get; private set; } = null!;

    internal BicepRun BuildParams { get; private set; } = null!;

    internal BicepRun LintParams { get; private set; } = null!;

    /// <summary>The ARM template compiled from infra/main.bicep.</summary>
    public JsonElement Template => template?.RootElement
        ?? throw new InvalidOperationException("bicep build failed, so there is no template.\n" + Build.Describe());

    /// <summary>The ARM parameters file compiled from infra/main.bicepparam.</summary>
    public JsonElement Parameters => parameters?.RootElement
        ?? throw new InvalidOperationException("bicep build-params failed, so there are no parameters.\n" + BuildParams.Describe());

    internal IReadOnlyList<ArmResource> Resources => ArmTemplate.AllResources(Template);

    public async Task InitializeAsync()
    {
        // main.bicepparam reads environment variables: pin them so the result does not depend on
        // the machine (an azd environment, for instance, exports some of them).
        var paramEnvironment = new Dictionary<string, string?>
        {
            ["VEHICLE_API_BASE_URL"] = VehicleApiBaseUrl,
            ["AZURE_ENV_NAME"] = null,
            ["NAME_PREFIX"] = null,
            ["DURABLE_TASK_HUB_NAME"] = null,
            ["AZURE_PRINCIPAL_ID"] = null,
            ["AZURE_PRINCIPAL_TYPE"] = null,
            ["VEHICLE_API_CLIENT_ID"] = null,
            ["VEHICLE_API_CLIENT_SECRET"] = null,
            ["DATA_PROTECTION_KEY"] = null,
        };

        var build = BicepCli.RunAsync(InfraDirectory, ["build", "main.bicep", "--stdout"]);
        var lint = BicepCli.RunAsync(InfraDirectory, ["lint", "main.bicep"]);
        var buildParams = BicepCli.RunAsync(InfraDirectory, ["build-params", "main.bicepparam", "--stdout"], paramEnvironment);
        var lintParams = BicepCli.RunAsync(InfraDirectory, ["lint", "main.bicepparam"], paramEnvironment);
        await Task.WhenAll(build, lint, buildParams, lintParams);

        Build = await build;
        Lint = await lint;
        BuildParams = await buildParams;
        LintParams = await lintParams;

        if (Build.ExitCode == 0)
        {
            template = JsonDocument.Parse(Build.StandardOutput);
        }

        if (BuildParams.ExitCode == 0)
        {
            using var output = JsonDocument.Parse(BuildParams.StandardOutput);
            parameters = JsonDocument.Parse(output.RootElement.GetProperty("parametersJson").GetString()!);
        }
    }

    public Task DisposeAsync()
    {
        template?.Dispose();
        parameters?.Dispose();
        return Task.CompletedTask;
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "infra", "main.bicep")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No infra/main.bicep above {AppContext.BaseDirectory}.");
    }
}

[CollectionDefinition(Name)]
public sealed class BicepCollectionDefinition : ICollectionFixture<BicepFixture>
{
    public const string Name = "bicep";
}
