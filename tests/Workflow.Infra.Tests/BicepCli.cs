using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace Workflow.Infra.Tests;

/// <summary>Output of one run of the bicep CLI.</summary>
internal sealed record BicepRun(string CommandLine, int ExitCode, string StandardOutput, string StandardError, TimeSpan Elapsed)
{
    /// <summary>All diagnostics and messages the run printed (bicep writes diagnostics to stderr).</summary>
    public string Diagnostics => (StandardError + StandardOutput).Trim();

    /// <summary>A readable account of the run for assertion messages.</summary>
    public string Describe(bool includeStandardOutput = true)
    {
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"$ {CommandLine}\nexit code {ExitCode} after {Elapsed.TotalSeconds:F1} s\n")
            .Append("--- stderr ---\n").Append(StandardError.TrimEnd()).Append('\n');
        if (includeStandardOutput)
        {
            const int limit = 4000;
            var stdout = StandardOutput.Length > limit ? string.Concat(StandardOutput.AsSpan(0, limit), "\n[...]") : StandardOutput;
            text.Append("--- stdout ---\n").Append(stdout.TrimEnd()).Append('\n');
        }

        return text.ToString();
    }
}

/// <summary>
/// Finds and runs the real bicep CLI restored from the Azure.Bicep.CommandLine.linux-x64 NuGet
/// package. The package folder comes from MSBuild (GeneratePathProperty, baked into an
/// AssemblyMetadata attribute at build time), so no machine path is hard-coded; the
/// BICEP_PATH environment variable overrides it.
/// </summary>
internal static class BicepCli
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);

    private static readonly Lazy<string> ExecutableLazy = new(Locate, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string ExecutablePath => ExecutableLazy.Value;

    public static async Task<BicepRun> RunAsync(
        string workingDirectory,
        IReadOnlyList<string> arguments,
        IReadOnlyDictionary<string, string?>? environment = null,
        TimeSpan? timeout = null)
    {
        var startInfo = new ProcessStartInfo(ExecutablePath)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                startInfo.Environment.Remove(name);
            }
            else
            {
                startInfo.Environment[name] = value;
            }
        }

        var commandLine = "bicep " + string.Join(' ', arguments);
        var stopwatch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = startInfo };
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {ExecutablePath}.");
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var limit = timeout ?? DefaultTimeout;
        using var cancellation = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            var partial = new BicepRun(commandLine, -1, await stdout, await stderr, stopwatch.Elapsed);
            throw new TimeoutException($"bicep did not finish within {limit.TotalSeconds:F0} s and was killed.\n{partial.Describe()}");
        }

        return new BicepRun(commandLine, process.ExitCode, await stdout, await stderr, stopwatch.Elapsed);
    }

    private static string Locate()
    {
        var overridePath = Environment.GetEnvironmentVariable("BICEP_PATH");
        if (!string.IsNullOrWhiteSpace(overridePath))
        {
            return File.Exists(overridePath)
                ? EnsureExecutable(overridePath)
                : throw new FileNotFoundException($"BICEP_PATH points to '{overridePath}', which does not exist.", overridePath);
        }

        var packagePath = typeof(BicepCli).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(attribute => attribute.Key == "BicepPath")?.Value;
        if (string.IsNullOrEmpty(packagePath) || !File.Exists(packagePath))
        {
            throw new FileNotFoundException(
                $"The bicep CLI from the Azure.Bicep.CommandLine.linux-x64 package was not found at '{packagePath}'. " +
                "Run `dotnet restore` (the package is a PackageReference of Workflow.Infra.Tests), or set BICEP_PATH to a bicep executable.",
                packagePath);
        }

        return EnsureExecutable(packagePath);
    }

    /// <summary>
    /// NuGet does not always keep the executable bit when it extracts a package. Set it; when the
    /// package folder is read-only, run a private executable copy instead.
    /// </summary>
    private static string EnsureExecutable(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return path;
        }

        const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        var mode = File.GetUnixFileMode(path);
        if ((mode & UnixFileMode.UserExecute) != 0)
        {
            return path;
        }

        try
        {
            File.SetUnixFileMode(path, mode | execute);
            return path;
        }
        catch (Exception exception) when (exception is UnauthorizedAccessException or IOException)
        {
            var info = new FileInfo(path);
            var directory = Path.Combine(Path.GetTempPath(), "workflow-infra-tests");
            var copy = Path.Combine(directory, FormattableString.Invariant($"bicep-{info.Length}-{info.LastWriteTimeUtc.Ticks}"));
            if (!File.Exists(copy))
            {
                Directory.CreateDirectory(directory);
                var partial = copy + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
                File.Copy(path, partial, overwrite: true);
                File.SetUnixFileMode(partial, mode | execute | UnixFileMode.UserRead | UnixFileMode.UserWrite);
                File.Move(partial, copy, overwrite: true);
            }

            return copy;
        }
    }
}
