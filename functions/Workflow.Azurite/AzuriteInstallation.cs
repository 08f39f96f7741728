using System.ComponentModel;
using System.Diagnostics;

namespace Workflow.Azurite;

/// <summary>
/// The Azurite that the repository pins: its root holds a package.json that names <c>azurite</c> and the
/// package-lock.json that fixes its version, and <c>npm ci</c> there installs it under node_modules.
/// </summary>
public static class AzuriteInstallation
{
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan LockPollInterval = TimeSpan.FromMilliseconds(200);

    // Test classes start their servers in parallel; two npm ci runs in one folder would trip over each other.
    // The gate orders the callers of this process, the lock file those of others (dotnet test runs test projects
    // as parallel processes, and on a fresh clone each may find Azurite missing).
    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    /// <summary>
    /// Finds the repository root: the nearest folder at or above one of <paramref name="startFolders"/> (tried in
    /// order) whose package.json pins Azurite. Returns <see langword="null"/> when none of them lies in the repository.
    /// </summary>
    /// <param name="startFolders">Where to start looking, most specific first.</param>
    public static string? FindRepositoryRoot(params IEnumerable<string> startFolders)
    {
        ArgumentNullException.ThrowIfNull(startFolders);
        foreach (string origin in startFolders)
        {
            for (DirectoryInfo? dir = new(origin); dir is not null; dir = dir.Parent)
            {
                string package = Path.Combine(dir.FullName, "package.json");
                if (File.Exists(package) && File.ReadAllText(package).Contains("\"azurite\"", StringComparison.Ordinal))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Returns the path of the azurite launcher under <paramref name="repositoryRoot"/>, running <c>npm ci</c> there
    /// first when it is missing.
    /// </summary>
    /// <param name="repositoryRoot">A folder <see cref="FindRepositoryRoot"/> returned.</param>
    /// <param name="installing">Called just before <c>npm ci</c> runs, so that the caller can say why it waits.</param>
    /// <param name="cancellationToken">Stops waiting for npm.</param>
    /// <exception cref="InvalidOperationException">npm is missing or <c>npm ci</c> failed.</exception>
    public static async Task<string> EnsureInstalledAsync(string repositoryRoot, Action? installing, CancellationToken cancellationToken)
    {
        string launcher = Path.Combine(repositoryRoot, "node_modules", ".bin", "azurite");
        await InstallGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (File.Exists(launcher))
            {
                return launcher;
            }

            await using FileStream installLock = await AcquireInstallLockAsync(repositoryRoot, cancellationToken).ConfigureAwait(false);
            if (File.Exists(launcher))
            {
                // Another process installed it while this one waited.
                return launcher;
            }

            installing?.Invoke();
            await RunNpmCiAsync(repositoryRoot, launcher, cancellationToken).ConfigureAwait(false);
            return launcher;
        }
        finally
        {
            InstallGate.Release();
        }
    }

    /// <summary>
    /// Opens the machine-wide lock file of this repository's installation exclusively, waiting (at most as long as
    /// an install may take, and a little more) while another process holds it. The lock lives in the temp folder, so
    /// the repository stays clean; the operating system releases it if its holder dies. The file is never deleted:
    /// a process could still be waiting on the deleted one while a third locks its successor.
    /// </summary>
    private static async Task<FileStream> AcquireInstallLockAsync(string repositoryRoot, CancellationToken cancellationToken)
    {
        string key = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(repositoryRoot))))[..16];
        string path = Path.Combine(Path.GetTempPath(), $"workflow-azurite-install-{key}.lock");
        long deadline = Stopwatch.GetTimestamp() + (long)((InstallTimeout + TimeSpan.FromMinutes(1)).TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1);
            }
            catch (IOException) when (Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(LockPollInterval, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task RunNpmCiAsync(string repositoryRoot, string launcher, CancellationToken cancellationToken)
    {
        var npm = new ProcessStartInfo("npm") { WorkingDirectory = repositoryRoot, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "ci", "--no-audit", "--no-fund" })
        {
            npm.ArgumentList.Add(arg);
        }

        const string NoNpm = "Could not run npm: install Node.js 20 or later (with npm) to run Azurite.";
        Process process;
        try
        {
            process = Process.Start(npm) ?? throw new InvalidOperationException(NoNpm);
        }
        catch (Win32Exception e)
        {
            // What Process.Start throws when npm is not on the PATH: say what to install rather than "No such file or directory".
            throw new InvalidOperationException(NoNpm, e);
        }

        using (process)
        {
            Task<string> stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            Task<string> stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(InstallTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // A half-finished npm ci must not keep writing into node_modules behind the next attempt.
                process.Kill(entireProcessTree: true);
                throw;
            }

            if (process.ExitCode != 0 || !File.Exists(launcher))
            {
                throw new InvalidOperationException(
                    $"npm ci in {repositoryRoot} failed (exit code {process.ExitCode}), so Azurite is not installed.\n{await stdout.ConfigureAwait(false)}\n{await stderr.ConfigureAwait(false)}");
            }
        }
    }
}
