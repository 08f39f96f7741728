using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Workflow.Testing;

namespace Workflow.LocalHost.Tests.Support;

/// <summary>
/// The local host as a child process: <c>dotnet Workflow.LocalHost.dll &lt;arguments&gt;</c>, with stdout and stderr
/// captured, readiness by polling an HTTP route with a deadline, a stop by SIGINT (then SIGKILL), and <see cref="Kill"/>
/// (SIGKILL) for crash tests. Whatever it started carries an environment marker: <see cref="DisposeAsync"/> kills the
/// whole tree and then anything still carrying the marker, so no process outlives the test.
/// </summary>
internal sealed partial class LocalHostProcess : IAsyncDisposable
{
    private const string MarkerVariable = "WORKFLOW_LOCALHOST_TESTS_MARKER";

    /// <summary>How long a start may take before the test gives up on it (a cold start builds a task hub on Azurite).</summary>
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);

    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    // Bounded: a long run's request log must not grow the test's memory without end; past the cap the oldest lines go.
    private readonly OutputBuffer _output = new(8 * 1024 * 1024);
    private readonly Uri? _configuredAddress;
    private readonly string? _functionKey;
    private readonly EventHandler _killOnExit;
    private Uri? _bannerAddress;
    private int _disposed;

    private LocalHostProcess(Process process, Uri? address, string? functionKey, string marker)
    {
        _process = process;
        _configuredAddress = address;
        _functionKey = functionKey;
        Marker = marker;

        // A test run that ends without disposing (a crash of the runner, Ctrl+C) still takes its local hosts along.
        _killOnExit = (_, _) => KillTree();
        AppDomain.CurrentDomain.ProcessExit += _killOnExit;
    }

    /// <summary>The local host built next to this test assembly: <c>functions/Workflow.LocalHost/bin/&lt;Configuration&gt;/net10.0/</c>.</summary>
    private static string DllPath { get; } = FindDll();

    /// <summary>The folder of <see cref="DllPath"/> (its appsettings.json and host.json).</summary>
    private static string BinFolder => Path.GetDirectoryName(DllPath)!;

    /// <summary>The project folder: the content root of <c>dotnet run --project functions/Workflow.LocalHost</c>.</summary>
    public static string ProjectFolder => Path.Combine(RepositoryPaths.Root, "functions", "Workflow.LocalHost");

    public int Id => _process.Id;

    /// <summary>The value of <see cref="MarkerVariable"/> in this process's environment and its children's.</summary>
    private string Marker { get; }

    public int ExitCode => _process.ExitCode;

    /// <summary>The product API's address: as configured, or read from the demo banner's "App" line.</summary>
    public Uri BaseAddress => _configuredAddress ?? BannerAddress() ?? throw new InvalidOperationException($"The local host has not printed its address yet.\n{Output}");

    /// <summary>What it printed so far, stdout and stderr interleaved by line.</summary>
    public string Output => _output.ToString();

    /// <summary>
    /// Starts the local host. <paramref name="address"/> is where it will listen (null: read it from the banner);
    /// <paramref name="workingDirectory"/> is its content root (default: the folder of the dll).
    /// </summary>
    /// <paramref name="ownProcessGroup"/> starts it as the leader of a process group of its own (through <c>setsid</c>,
    /// which then execs dotnet under the same pid), as a shell starts a foreground job: <see cref="InterruptGroup"/> then
    /// signals it and everything it started, as Ctrl+C in a terminal does.
    public static LocalHostProcess Start(
        IEnumerable<string> arguments,
        Uri? address,
        string? functionKey,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null,
        bool ownProcessGroup = false)
    {
        var start = new ProcessStartInfo(ownProcessGroup ? "setsid" : DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? BinFolder,
        };
        if (ownProcessGroup)
        {
            start.ArgumentList.Add(DotnetHost());
        }

        start.ArgumentList.Add(DllPath);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        string marker = Guid.NewGuid().ToString("N");
        start.Environment[MarkerVariable] = marker;

        // A killed process must not spend its last moments writing a dump; the test's own settings do not leak in.
        start.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        start.Environment.Remove("DOTNET_ENVIRONMENT");
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start };
        var child = new LocalHostProcess(process, address, functionKey, marker);
        process.OutputDataReceived += (_, e) => child._output.Append(e.Data);
        process.ErrorDataReceived += (_, e) => child._output.Append(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException("Could not start the local host.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>
    /// Polls <c>GET /api/commands/readiness-probe</c> (with the key) until the product answers it: a 404 problem means
    /// the key check, the handler and the Durable client through the sidecar all work. Fails at once if the process exits.
    /// </summary>
    public async Task WaitUntilReadyAsync(TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        TimeSpan limit = timeout ?? ReadyTimeout;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        string last = "no answer yet";
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The local host exited with code {_process.ExitCode} before it was ready.\n{Output}");
            }

            if ((_configuredAddress ?? BannerAddress()) is { } address)
            {
                using var probe = new HttpRequestMessage(HttpMethod.Get, new Uri(address, "api/commands/readiness-probe"));
                if (_functionKey is not null)
                {
                    probe.Headers.Add(CommandsClient.KeyHeader, _functionKey);
                }

                try
                {
                    using HttpResponseMessage response = await http.SendAsync(probe);
                    if (response.StatusCode == HttpStatusCode.NotFound && response.Content.Headers.ContentType?.MediaType == "application/problem+json")
                    {
                        return;
                    }

                    last = $"HTTP {(int)response.StatusCode}";
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    last = ex.Message;
                }
            }

            if (deadline.Elapsed > limit)
            {
                throw new TimeoutException($"The local host was not ready within {limit} (last probe: {last}).\n{Output}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>Polls the captured output until it contains <paramref name="text"/>; fails if the process exits first.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        TimeSpan limit = timeout ?? ReadyTimeout;
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited)
            {
                // The readers may still be draining: one last look after they are done.
                await _process.WaitForExitAsync();
                if (Output.Contains(text, StringComparison.Ordinal))
                {
                    return;
                }

                throw new InvalidOperationException($"The local host exited with code {_process.ExitCode} without printing '{text}'.\n{Output}");
            }

            if (deadline.Elapsed > limit)
            {
                throw new TimeoutException($"The local host did not print '{text}' within {limit}.\n{Output}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>kill -9: no stop, no lease release, nothing handed back.</summary>
    public void Kill() => _process.Kill(entireProcessTree: false);

    /// <summary>SIGINT to the local host alone (<c>kill -INT &lt;pid&gt;</c>).</summary>
    private void Interrupt() => Signals.Interrupt(_process.Id);

    /// <summary>
    /// Ctrl+C in a terminal: SIGINT to the whole process group (the local host and whatever it started), for a process
    /// started with <c>ownProcessGroup</c>.
    /// </summary>
    public void InterruptGroup()
    {
        Assert.True(ProcessScan.GroupOf(_process.Id) == _process.Id, $"Process {_process.Id} does not lead a process group of its own.");
        Signals.Interrupt(-_process.Id);
    }

    /// <summary>
    /// Stops the local host as Ctrl+C does (SIGINT), waiting up to <paramref name="grace"/>; past it, SIGKILL to its
    /// whole tree. Returns whether it stopped on SIGINT.
    /// </summary>
    public async Task<bool> StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return true;
        }

        Interrupt();
        if (await WaitForExitAsync(grace))
        {
            return true;
        }

        _process.Kill(entireProcessTree: true);
        await WaitForExitAsync(ExitTimeout);
        return false;
    }

    /// <summary>Waits for the process to exit (and its output to be read); false at the deadline.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>The processes still running that this launcher started, directly or not.</summary>
    public IReadOnlyList<int> LiveProcesses() => ProcessScan.WithEnvironment(MarkerVariable, Marker);

    /// <summary>Kills whatever is left (the whole tree, then anything with the marker) and waits until none runs.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit -= _killOnExit;
        try
        {
            KillTree();
            await WaitForExitAsync(ExitTimeout);
            var deadline = Stopwatch.StartNew();
            while (LiveProcesses() is { Count: > 0 } left && deadline.Elapsed < ExitTimeout)
            {
                foreach (int pid in left)
                {
                    try
                    {
                        using Process orphan = Process.GetProcessById(pid);
                        orphan.Kill(entireProcessTree: true);
                    }
                    catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
                    {
                        // Gone meanwhile.
                    }
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100));
            }
        }
        finally
        {
            _process.Dispose();
        }
    }

    private void KillTree()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }
    }

    private static string FindDll()
    {
        // This assembly runs from tests/Workflow.LocalHost.Tests/bin/<Configuration>/<tfm>/: the local host was built
        // with the same configuration and framework by the project reference.
        var folder = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string framework = folder.Name;
        string configuration = folder.Parent!.Name;
        string dll = Path.Combine(RepositoryPaths.Root, "functions", "Workflow.LocalHost", "bin", configuration, framework, "Workflow.LocalHost.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"The local host is not built at {dll}: build the test project (it references the local host).", dll);
    }

    // The dotnet host that runs the tests runs the child too; DOTNET_HOST_PATH is set by the SDK.
    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        return Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }

    // Kept once read: the banner is among the first lines, which the output cap may drop later.
    private Uri? BannerAddress() => _bannerAddress ??= BannerAppLine().Match(Output) is { Success: true } match ? new Uri(match.Groups[1].Value + "/") : null;

    // The demo banner's "  App              http://127.0.0.1:PORT" line (the first "Now listening on" is the simulator's).
    [GeneratedRegex(@"^\s+App\s+(http://127\.0\.0\.1:\d+)\s*$", RegexOptions.Multiline)]
    private static partial Regex BannerAppLine();
}
