using Workflow.Testing;

namespace Workflow.Azurite.Tests;

public sealed class AzuriteInstallationTests
{
    [Fact]
    public void The_repository_root_is_the_folder_with_the_lock_file_whichever_folder_inside_it_the_search_starts_from()
    {
        string fromOutput = AzuriteInstallation.FindRepositoryRoot(AppContext.BaseDirectory)!;
        string fromProject = AzuriteInstallation.FindRepositoryRoot(Path.Combine(fromOutput, "functions", "Workflow.Functions"))!;

        Assert.True(File.Exists(Path.Combine(fromOutput, "package-lock.json")), fromOutput);
        Assert.True(File.Exists(Path.Combine(fromOutput, "Workflow.sln")), fromOutput);
        Assert.Equal(fromOutput, fromProject);
    }

    [Fact]
    public void Outside_the_repository_there_is_no_root_unless_a_later_start_folder_is_inside_it()
    {
        string outside = Directory.CreateTempSubdirectory("azurite-root-").FullName;
        try
        {
            Assert.Null(AzuriteInstallation.FindRepositoryRoot(outside));
            Assert.Equal(RepositoryPaths.Root, AzuriteInstallation.FindRepositoryRoot(outside, AppContext.BaseDirectory));
        }
        finally
        {
            Directory.Delete(outside);
        }
    }

    [Fact]
    public async Task An_installed_launcher_is_used_as_it_is_without_running_npm()
    {
        string launcher = await AzuriteInstallation.EnsureInstalledAsync(RepositoryPaths.Root, installing: null, CancellationToken.None);
        bool installed = false;

        string again = await AzuriteInstallation.EnsureInstalledAsync(RepositoryPaths.Root, () => installed = true, CancellationToken.None);

        Assert.Equal(Path.Combine(RepositoryPaths.Root, "node_modules", ".bin", "azurite"), again);
        Assert.Equal(launcher, again);
        Assert.False(installed);
    }
}
