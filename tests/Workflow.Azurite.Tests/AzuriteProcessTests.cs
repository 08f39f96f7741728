using Microsoft.Extensions.Time.Testing;
using Workflow.Testing;

namespace Workflow.Azurite.Tests;

public sealed class AzuriteProcessTests : IDisposable
{
    private readonly DirectoryInfo _scripts = Directory.CreateTempSubdirectory("azurite-launcher-");

    public void Dispose() => _scripts.Delete(recursive: true);

    [Fact]
    public async Task Azurite_listens_on_the_given_ports_and_frees_them_once_disposed()
    {
        string launcher = await AzuriteInstallation.EnsureInstalledAsync(RepositoryPaths.Root, installing: null, CancellationToken.None);
        var ports = new AzuritePorts(FreePort.Next(), FreePort.Next(), FreePort.Next());

        AzuriteProcess azurite = await AzuriteProcess.StartAsync(launcher, ports, TimeProvider.System, CancellationToken.None);
        await using (azurite)
        {
            Assert.Equal(ports, azurite.Ports);
            foreach (int port in ports.All)
            {
                Assert.True(await LoopbackPort.IsListeningAsync(port, CancellationToken.None), $"nothing listens on {port}");
            }
        }

        foreach (int port in ports.All)
        {
            Assert.False(await LoopbackPort.IsListeningAsync(port, CancellationToken.None), $"{port} is still taken");
        }
    }

    [Fact]
    public async Task A_launcher_that_exits_is_reported_with_what_it_printed_last()
    {
        // What the azurite launcher (#!/usr/bin/env node) does on a machine without Node.js.
        string launcher = Script("echo starting; echo \"/usr/bin/env: 'node': No such file or directory\" >&2; exit 127");
        var ports = new AzuritePorts(FreePort.Next(), FreePort.Next(), FreePort.Next());

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => AzuriteProcess.StartAsync(launcher, ports, TimeProvider.System, CancellationToken.None));

        Assert.StartsWith($"Azurite did not start listening on port {ports.Blob}. Its output:\n", error.Message, StringComparison.Ordinal);
        Assert.Contains("starting", error.Message, StringComparison.Ordinal);
        Assert.Contains("'node': No such file or directory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_launcher_that_never_listens_is_given_a_minute_and_then_killed()
    {
        string pidFile = Path.Combine(_scripts.FullName, "pid");
        string launcher = Script($"echo $$ > '{pidFile}'; echo waiting; exec sleep 300");
        var time = new FakeTimeProvider();

        Task<AzuriteProcess> start = AzuriteProcess.StartAsync(launcher, new AzuritePorts(FreePort.Next(), FreePort.Next(), FreePort.Next()), time, CancellationToken.None);
        await Eventually.TrueAsync(() => Task.FromResult(File.Exists(pidFile) && File.ReadAllText(pidFile).Trim().Length > 0), "the launcher to start", TimeSpan.FromSeconds(30));
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.False(start.IsCompleted);
        while (!start.IsCompleted)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(10);
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => start);
        Assert.Contains("did not start listening", error.Message, StringComparison.Ordinal);
        string pid = File.ReadAllText(pidFile).Trim();
        await Eventually.TrueAsync(() => Task.FromResult(!IsRunning(pid)), "the launcher to be killed", TimeSpan.FromSeconds(10));
    }

    /// <summary>Whether a process runs (a killed one that its parent has not reaped yet counts as gone).</summary>
    private static bool IsRunning(string pid)
    {
        string stat = Path.Combine("/proc", pid, "stat");
        try
        {
            string text = File.ReadAllText(stat);
            return text[(text.LastIndexOf(')') + 2)..][0] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>A stand-in for the azurite launcher, which is itself a script (node_modules/.bin is POSIX-only, as is the launcher the app runs).</summary>
    private string Script(string body)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The launcher stand-ins are POSIX shell scripts.");
        }

        string path = Path.Combine(_scripts.FullName, "azurite");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
