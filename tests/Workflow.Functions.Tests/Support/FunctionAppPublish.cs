using System.Diagnostics;
using System.Globalization;
using Workflow.Testing;

namespace Workflow.Functions.Tests.Support;

/// <summary>
/// The deployable folder of the app, made the way it is deployed: <c>dotnet publish functions/Workflow.Functions -c Release
/// -r linux-x64</c>. Once per test run, in a separate <c>dotnet</c> process, into a temporary folder (its own
/// <c>--artifacts-path</c>, so it never writes into the source tree's <c>bin</c>/<c>obj</c> that a solution build may be
/// using at the same moment), under a machine-wide lock so that parallel test runs publish one after the other.
/// </summary>
internal static class FunctionAppPublish
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan LockTimeout = TimeSpan.FromMinutes(20);
    private static readonly Lazy<Task<string>> Output = new(PublishAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The folder of this test run's files (publish output, hosts' state); deleted when the test process exits.</summary>
    public static string RunDirectory { get; } = CreateRunDirectory();

    /// <summary>The publish output: host.json, functions.metadata, worker.config.json, .azurefunctions/, the worker.</summary>
    public static Task<string> GetAsync() => Output.Value;

    private static async Task<string> PublishAsync()
    {
        string project = Path.Combine(RepositoryPaths.Root, "functions", "Workflow.Functions", "Workflow.Functions.csproj");
        string output = Path.Combine(RunDirectory, "publish");
        string artifacts = Path.Combine(RunDirectory, "artifacts");

        var startInfo = new ProcessStartInfo(DotnetMuxer()) { WorkingDirectory = RepositoryPaths.Root };
        foreach (string argument in (string[])[
            "publish", project, "-c", "Release", "-r", "linux-x64", "-o", output, "--artifacts-path", artifacts,
            "--disable-build-servers", "-nologo", "-v:minimal"])
        {
            startInfo.ArgumentList.Add(argument);
        }

        // `dotnet test` runs this code with MSBuild's variables set for the test build; the inner build must not inherit them.
        foreach (string name in startInfo.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            startInfo.Environment.Remove(name);
        }

        startInfo.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        startInfo.Environment["DOTNET_NOLOGO"] = "1";
        startInfo.Environment["MSBUILDDISABLENODEREUSE"] = "1";

        (int exitCode, string log) result;
        using (await AcquireLockAsync().ConfigureAwait(false))
        {
            result = await ChildProcess.RunAsync(startInfo, PublishTimeout).ConfigureAwait(false);
        }

        if (result.exitCode != 0 || !File.Exists(Path.Combine(output, "functions.metadata")))
        {
            throw new InvalidOperationException(
                $"`dotnet {string.Join(' ', startInfo.ArgumentList)}` failed (exit code {result.exitCode}) or produced no functions.metadata:\n{result.log}");
        }

        // The intermediate build is not needed any more; only the publish output is run.
        TempDirectories.TryDelete(artifacts);
        return output;
    }

    /// <summary>A lock file shared by every test process on the machine; held (flock) for the duration of a publish.</summary>
    private static async Task<IDisposable> AcquireLockAsync()
    {
        string path = Path.Combine(Path.GetTempPath(), "workflow-functions-tests", "publish.lock");
        DateTime deadline = DateTime.UtcNow + LockTimeout;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline && attempt < 100_000)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500)).ConfigureAwait(false);
            }
        }
    }

    private static string DotnetMuxer()
        => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path && File.Exists(path) ? path : "dotnet";

    private static string CreateRunDirectory()
    {
        string parent = Path.Combine(Path.GetTempPath(), "workflow-functions-tests");
        Directory.CreateDirectory(parent);

        // Folders of earlier runs whose test process is gone (the exit handler below may not get to finish).
        foreach (string stale in Directory.EnumerateDirectories(parent, "run-*"))
        {
            string[] parts = Path.GetFileName(stale).Split('-');
            if (parts.Length == 3 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && !Directory.Exists($"/proc/{pid}"))
            {
                TempDirectories.TryDelete(stale);
            }
        }

        string directory = Path.Combine(parent, $"run-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid().ToString("N")[..12]}");
        Directory.CreateDirectory(directory);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TempDirectories.TryDelete(directory);
        return directory;
    }
}
