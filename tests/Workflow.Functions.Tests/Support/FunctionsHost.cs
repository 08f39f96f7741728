using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Workflow.Testing;

namespace Workflow.Functions.Tests.Support;

/// <summary>
/// One Functions host process (and the app's worker it starts) on 127.0.0.1, started in a process group of its own and
/// ready once <c>/admin/host/status</c> says <c>Running</c>. Stopping signals the whole group, so no worker is left behind.
/// </summary>
internal sealed class FunctionsHost : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan GracefulStopTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan KillTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan OutputDrainTimeout = TimeSpan.FromSeconds(5);
    private const int StartAttempts = 3;

    private readonly Process _process;
    private readonly OutputBuffer _output;
    private readonly string _directory;

    // Whether the host leads a process group of its own (started under setsid), so a group signal reaches its worker too.
    // Fixed at launch: read from how it was started, not from /proc on every turn of a wait.
    private readonly bool _ownsGroup;
    private int _stopped;

    private FunctionsHost(Process process, OutputBuffer output, int port, string directory, string launcher, bool ownsGroup)
    {
        _process = process;
        _output = output;
        _directory = directory;
        _ownsGroup = ownsGroup;
        Port = port;
        Launcher = launcher;
        BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
        ProcessId = process.Id;
    }

    /// <summary>Where it serves: <c>http://127.0.0.1:port/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Its HTTP port.</summary>
    public int Port { get; }

    /// <summary>The host's PID; with <c>setsid</c>, also its process group id.</summary>
    public int ProcessId { get; }

    /// <summary>What started it.</summary>
    public string Launcher { get; }

    /// <summary>The host's (and, through it, the worker's) console output so far, its last part: for failure messages.</summary>
    public string Output => _output.Tail();

    /// <summary>The host's whole captured output.</summary>
    public string FullOutput => _output.ToString();

    /// <summary>Whether <see cref="FullOutput"/> lost its oldest part to the output cap.</summary>
    public bool OutputTruncated => _output.Truncated;

    /// <summary>The host's TMPDIR: its log files (<c>functions-host-&lt;uid&gt;/port-&lt;port&gt;/logs</c>) and the worker's temporary files, until disposed.</summary>
    public string TempDirectory => Path.Combine(_directory, "tmp");

    /// <summary>The running processes of the host's group: the host and the app's worker.</summary>
    public IReadOnlyList<int> GroupProcessIds() => _ownsGroup ? ProcessGroup.LiveMembers(ProcessId) : (IsAlive() ? [ProcessId] : []);

    /// <summary>Starts a host on a free port and waits until it is running (retrying on a port taken in between).</summary>
    /// <param name="launcher">func or the shared host.</param>
    /// <param name="scriptRoot">The app's publish output.</param>
    /// <param name="environment">App settings and keys, as environment variables.</param>
    /// <param name="masterKey">The master key, to read <c>/admin/host/status</c>.</param>
    /// <param name="directory">A folder of this host's own (TMPDIR, keys, logs).</param>
    public static async Task<FunctionsHost> StartAsync(
        FunctionsHostLauncher launcher, string scriptRoot, IReadOnlyDictionary<string, string> environment, string masterKey, string directory)
    {
        ArgumentNullException.ThrowIfNull(launcher);
        ArgumentNullException.ThrowIfNull(environment);
        for (int attempt = 1; ; attempt++)
        {
            FunctionsHost host = Launch(launcher, scriptRoot, FreePort.Next(), environment, directory);
            (string? Failure, bool PortInUse) result;
            try
            {
                result = await host.WaitUntilRunningAsync(masterKey).ConfigureAwait(false);
            }
            catch
            {
                await host.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            if (result.Failure is null)
            {
                return host;
            }

            await host.DisposeAsync().ConfigureAwait(false);
            if (!result.PortInUse || attempt >= StartAttempts)
            {
                throw new InvalidOperationException(result.Failure);
            }
        }
    }

    /// <summary>kill -9 of the host's whole process group (host and worker), then waits until none of them runs.</summary>
    /// <exception cref="TimeoutException">A process of the group still runs at the deadline.</exception>
    public async Task KillAsync()
    {
        Interlocked.Exchange(ref _stopped, 1);
        IReadOnlyList<int> members = GroupProcessIds();
        if (_ownsGroup)
        {
            ProcessGroup.Signal(ProcessId, "KILL");
        }

        KillTree();
        await WaitUntilGoneAsync(members, KillTimeout).ConfigureAwait(false);
    }

    /// <summary>
    /// SIGTERM to the group (the host stops its worker), SIGKILL if it is still there after a while; then waits (bounded) until
    /// its output is read to the end. Leaves its files (<see cref="TempDirectory"/>) in place. Safe to call twice.
    /// </summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            IReadOnlyList<int> members = GroupProcessIds();
            if (_ownsGroup)
            {
                ProcessGroup.Signal(ProcessId, "TERM");
                if (!await TryWaitUntilGoneAsync(members, GracefulStopTimeout).ConfigureAwait(false))
                {
                    ProcessGroup.Signal(ProcessId, "KILL");
                }
            }

            KillTree();
            if (await TryWaitUntilGoneAsync(members, KillTimeout).ConfigureAwait(false))
            {
                // The exit is known; the last lines may still be in the pipes. WaitForExitAsync also waits for their end.
                using var drained = new CancellationTokenSource(OutputDrainTimeout);
                try
                {
                    await _process.WaitForExitAsync(drained.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // A process that kept the pipe open (none should): the output is what arrived so far.
                }
                catch (InvalidOperationException)
                {
                    // Not started or already disposed.
                }
            }
        }
    }

    /// <summary><see cref="StopAsync"/>, then deletes the host's files. Safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _process.Dispose();
        TempDirectories.TryDelete(TempDirectory);
    }

    private static FunctionsHost Launch(FunctionsHostLauncher launcher, string scriptRoot, int port, IReadOnlyDictionary<string, string> environment, string directory)
    {
        string keys = Path.Combine(directory, "keys");
        string tmp = Path.Combine(directory, "tmp");
        TempDirectories.TryDelete(keys);
        Directory.CreateDirectory(keys);
        Directory.CreateDirectory(tmp);
        ProcessStartInfo startInfo = launcher.CreateStartInfo(scriptRoot, port, keys);
        foreach ((string name, string value) in environment)
        {
            startInfo.Environment[name] = value;
        }

        // Logs, keys and the shared host's per-port state go under this host's folder, not /tmp.
        startInfo.Environment["TMPDIR"] = tmp;
        if (launcher.IsCoreTools)
        {
            // Core Tools keeps file secrets in $TMPDIR/secrets/functions/secrets; write the keys there as the shared host's
            // script does in its keys folder, so both launchers run with the keys the tests know.
            startInfo.Environment["AzureWebJobsSecretStorageType"] = "files";
            startInfo.Environment["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
            string secrets = Path.Combine(tmp, "secrets", "functions", "secrets");
            Directory.CreateDirectory(secrets);
            File.WriteAllText(Path.Combine(secrets, "host.json"), KeysFile(environment));
        }

        var output = new OutputBuffer();
        var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => output.Append(e.Data);
        process.ErrorDataReceived += (_, e) => output.Append(e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new FunctionsHost(process, output, port, directory, launcher.Description, FunctionsHostLauncher.StartsInOwnGroup(startInfo));
    }

    private static string KeysFile(IReadOnlyDictionary<string, string> environment) => JsonSerializer.Serialize(new
    {
        masterKey = new { name = "master", value = environment["FUNCTIONS_MASTER_KEY"], encrypted = false },
        functionKeys = new[] { new { name = "default", value = environment["FUNCTIONS_DEFAULT_KEY"], encrypted = false } },
        systemKeys = new[] { new { name = "durabletask_extension", value = environment["FUNCTIONS_DURABLE_SYSTEM_KEY"], encrypted = false } },
        instanceId = string.Empty,
        source = "runtime",
        decryptionKeyId = string.Empty,
    });

    /// <summary>Null once running; otherwise why not, and whether its port was taken.</summary>
    private async Task<(string? Failure, bool PortInUse)> WaitUntilRunningAsync(string masterKey)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Add("x-functions-key", masterKey);
        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        DateTime deadline = DateTime.UtcNow + ReadyTimeout;
        string lastState = "no answer";
        for (int attempt = 0; attempt < 2_000; attempt++)
        {
            if (_process.HasExited)
            {
                return (
                    $"{Launcher} exited with code {_process.ExitCode} before it was running (port {Port}). Output:\n{_output.Tail()}",
                    FullOutput.Contains("already in use", StringComparison.OrdinalIgnoreCase));
            }

            try
            {
                using HttpResponseMessage response = await http.GetAsync(new Uri("admin/host/status", UriKind.Relative)).ConfigureAwait(false);
                string body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                lastState = $"HTTP {(int)response.StatusCode} {body}";
                if (response.IsSuccessStatusCode)
                {
                    using JsonDocument status = JsonDocument.Parse(body);
                    string? state = status.RootElement.TryGetProperty("state", out JsonElement s) ? s.GetString() : null;
                    if (state == "Running")
                    {
                        return (null, false);
                    }

                    if (state == "Error")
                    {
                        // The host keeps retrying a failed start: stop here, with its reasons.
                        string errors = status.RootElement.TryGetProperty("errors", out JsonElement e) ? e.GetRawText() : "(none listed)";
                        return ($"{Launcher} reports state Error on port {Port}: {errors}\nOutput:\n{_output.Tail()}", false);
                    }
                }
            }
            catch (HttpRequestException ex)
            {
                lastState = ex.Message;
            }
            catch (TaskCanceledException)
            {
                lastState = "no answer within 10 s";
            }

            if (DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250)).ConfigureAwait(false);
        }

        return ($"{Launcher} was not running after {ReadyTimeout} on port {Port} (last status: {lastState}). Output:\n{_output.Tail()}", false);
    }

    private bool IsAlive()
    {
        try
        {
            return !_process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return false;
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
            // Already gone.
        }
    }

    private async Task WaitUntilGoneAsync(IReadOnlyList<int> members, TimeSpan timeout)
    {
        if (!await TryWaitUntilGoneAsync(members, timeout).ConfigureAwait(false))
        {
            string alive = string.Join(", ", members.Where(ProcessGroup.IsAlive).Select(p => $"{p} ({ProcessGroup.CommandLine(p)})"));
            throw new TimeoutException($"After {timeout} these processes of the host's group still run: {alive}");
        }
    }

    private async Task<bool> TryWaitUntilGoneAsync(IReadOnlyList<int> members, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        for (int attempt = 0; attempt < 1_000; attempt++)
        {
            if (!IsAlive() && !members.Any(ProcessGroup.IsAlive) && (!_ownsGroup || ProcessGroup.LiveMembers(ProcessId).Count == 0))
            {
                return true;
            }

            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100)).ConfigureAwait(false);
        }

        return false;
    }
}
