using System.Diagnostics;
using Workflow.Functions.Tests.Support;
using Workflow.Testing;

namespace Workflow.Functions.Tests;

/// <summary>Which Functions host the fixture starts: <c>func</c> from PATH first, else <c>../shared/functions-host/start</c>.</summary>
public sealed class HostLauncherTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fn-launcher-").FullName;

    [Fact]
    public void WithNeitherFuncOnPathNorTheSharedHostTheErrorNamesBoth()
    {
        string root = Path.Combine(_directory, "clone");
        Directory.CreateDirectory(root);

        var error = Assert.Throws<InvalidOperationException>(() => FunctionsHostLauncher.Find(Path.Combine(_directory, "empty-bin"), root));

        Assert.Contains("`func`", error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_directory, "shared", "functions-host", "start"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSharedHostIsRunWithBashSoACopyWithoutExecBitsWorks()
    {
        FunctionsHostLauncher launcher = FunctionsHostLauncher.Find(Path.Combine(_directory, "empty-bin"), RepositoryPaths.Root);
        ProcessStartInfo start = launcher.CreateStartInfo("/app", 7123, "/keys");

        Assert.False(launcher.IsCoreTools);
        string[] command = [.. start.ArgumentList.Prepend(start.FileName).SkipWhile(a => a != "bash")];
        Assert.Equal(
            ["bash", FunctionsHostLauncher.SharedHostStartScript(RepositoryPaths.Root), "--script-root", "/app", "--port", "7123", "--keys-dir", "/keys"],
            command);
    }

    [Fact]
    public void FuncOnPathIsPreferredAndStartedWithItsScriptRootPortAndAuth()
    {
        string bin = Path.Combine(_directory, "bin");
        Directory.CreateDirectory(bin);
        string func = Path.Combine(bin, "func");
        File.WriteAllText(func, "#!/bin/sh\n");
        File.SetUnixFileMode(func, UnixFileMode.UserRead | UnixFileMode.UserExecute);

        FunctionsHostLauncher launcher = FunctionsHostLauncher.Find(bin, RepositoryPaths.Root);
        ProcessStartInfo start = launcher.CreateStartInfo("/app", 7123, "/keys");

        Assert.True(launcher.IsCoreTools);
        string[] command = [.. start.ArgumentList.Prepend(start.FileName).SkipWhile(a => a != func)];
        Assert.Equal([func, "start", "--script-root", "/app", "--port", "7123", "--enableAuth"], command);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
