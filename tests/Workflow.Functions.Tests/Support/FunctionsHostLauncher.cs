using System.Diagnostics;
using System.Globalization;

namespace Workflow.Functions.Tests.Support;

/// <summary>
/// How to start a Functions host on an app's build or publish output: Azure Functions Core Tools (<c>func</c>) when it is
/// on <c>PATH</c>, otherwise the source build of the host in <c>../shared/functions-host</c> next to the repository
/// (run as <c>bash start</c>: CI's copy of <c>shared/</c> has no write or exec bits).
/// </summary>
internal sealed class FunctionsHostLauncher
{
    private FunctionsHostLauncher(string description, string program, IReadOnlyList<string> arguments, bool isCoreTools)
    {
        Description = description;
        Program = program;
        Arguments = arguments;
        IsCoreTools = isCoreTools;
    }

    /// <summary>What runs the host, for messages.</summary>
    public string Description { get; }

    /// <summary>Core Tools (<c>func start</c>) rather than the shared host's <c>start</c> script.</summary>
    public bool IsCoreTools { get; }

    private string Program { get; }

    private IReadOnlyList<string> Arguments { get; }

    /// <summary>The launcher for this machine.</summary>
    /// <exception cref="InvalidOperationException">Neither <c>func</c> nor the shared host is there; the message names both.</exception>
    public static FunctionsHostLauncher Find(string? path, string repositoryRoot)
    {
        ArgumentNullException.ThrowIfNull(repositoryRoot);
        if (FindOnPath("func", path) is { } func)
        {
            return new FunctionsHostLauncher($"Azure Functions Core Tools ({func})", func, ["start"], isCoreTools: true);
        }

        string shared = SharedHostStartScript(repositoryRoot);
        if (File.Exists(shared))
        {
            return new FunctionsHostLauncher($"the shared Functions host ({shared})", "bash", [shared], isCoreTools: false);
        }

        throw new InvalidOperationException(
            "No Functions host to run the app on: `func` (Azure Functions Core Tools) is not on PATH, and the source build of the host is not at "
            + $"{shared} (../shared/functions-host/start next to the repository). Install Core Tools, or put a copy of shared/ beside the clone.");
    }

    /// <summary>Where the shared host's start script is expected: <c>../shared/functions-host/start</c> from the repository root.</summary>
    public static string SharedHostStartScript(string repositoryRoot)
        => Path.GetFullPath(Path.Combine(repositoryRoot, "..", "shared", "functions-host", "start"));

    /// <summary>
    /// The command line that starts a host on <paramref name="scriptRoot"/> at <c>127.0.0.1:<paramref name="port"/></c>, in a
    /// session of its own (<c>setsid</c>) so that one signal to its process group reaches the host and the worker it starts.
    /// </summary>
    /// <param name="scriptRoot">The app's publish output.</param>
    /// <param name="port">The HTTP port.</param>
    /// <param name="keysDirectory">An empty folder of the host's own for its keys file.</param>
    public ProcessStartInfo CreateStartInfo(string scriptRoot, int port, string keysDirectory)
    {
        List<string> command = [Program, .. Arguments];
        if (IsCoreTools)
        {
            // --script-root is a global option of func (it changes the current directory first); --enableAuth makes Core Tools
            // check keys as Azure does (it skips authorization locally otherwise). No --no-build needed: a publish output
            // holds no project file to build.
            command.AddRange(["--script-root", scriptRoot, "--port", port.ToString(CultureInfo.InvariantCulture), "--enableAuth"]);
        }
        else
        {
            command.AddRange(["--script-root", scriptRoot, "--port", port.ToString(CultureInfo.InvariantCulture), "--keys-dir", keysDirectory]);
        }

        // The child of a .NET process is no process group leader, so setsid does not fork: its PID stays the host's and
        // becomes the group's id.
        string? setsid = FindOnPath("setsid", Environment.GetEnvironmentVariable("PATH"));
        var startInfo = new ProcessStartInfo(setsid ?? command[0])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = scriptRoot,
        };
        foreach (string argument in setsid is null ? command.Skip(1) : command)
        {
            startInfo.ArgumentList.Add(argument);
        }

        return startInfo;
    }

    /// <summary>
    /// Whether <paramref name="startInfo"/>, made by <see cref="CreateStartInfo"/>, starts the host as the leader of a process
    /// group of its own: under <c>setsid</c>, which does not fork there, so the host's PID is the group's id.
    /// </summary>
    public static bool StartsInOwnGroup(ProcessStartInfo startInfo)
    {
        ArgumentNullException.ThrowIfNull(startInfo);
        return Path.GetFileName(startInfo.FileName) == "setsid";
    }

    private static string? FindOnPath(string name, string? path)
    {
        foreach (string directory in (path ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(directory, name);
            if (File.Exists(candidate) && (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
            {
                return candidate;
            }
        }

        return null;
    }
}
