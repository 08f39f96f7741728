using Workflow.Azurite;

namespace Workflow.Testing;

/// <summary>Finds files of this repository from a test's output folder.</summary>
public static class RepositoryPaths
{
    /// <summary>The repository root, which holds Workflow.sln and the package.json that pins Azurite.</summary>
    public static string Root { get; } = AzuriteInstallation.FindRepositoryRoot(AppContext.BaseDirectory)
        ?? throw new InvalidOperationException($"The repository root (the package.json that pins Azurite) was not found above {AppContext.BaseDirectory}.");
}
