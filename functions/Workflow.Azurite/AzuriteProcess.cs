using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Workflow.Azurite;

/// <summary>
/// A running Azurite, in memory on given loopback ports, with what it printed kept for error messages.
/// </summary>
/// <remarks>
/// <para>
/// No Azurite outlives the process that started it, however that process ends:
/// </para>
/// <list type="bullet">
/// <item>Node runs Azurite's script itself (no shell, npx or npm in between), so the process this class holds is
/// the one that listens, and killing it frees the ports.</item>
/// <item><see cref="Dispose"/>, <see cref="DisposeAsync"/>, <see cref="Kill"/> and the
/// <see cref="AppDomain.ProcessExit"/> event (a normal end, Ctrl+C, SIGTERM) kill its whole process tree.</item>
/// <item>For the ends no handler sees (SIGKILL, a crash, a test host torn down by its runner), node is started with a
/// small preloaded watchdog that exits as soon as its standard input reaches end of file. Nothing ever writes to that
/// pipe; its only writer is this process (the runtime opens pipes close-on-exec, so no other child inherits it),
/// and the kernel closes it when this process dies, whatever killed it. That works on every OS with no extra process,
/// unlike the alternatives: <c>prctl(PR_SET_PDEATHSIG)</c> fires when the forking <em>thread</em> ends (a thread-pool
/// thread may retire while the app runs on) and is Linux-only; a wrapper that polls the parent's pid adds a process,
/// a delay and pid-reuse races.</item>
/// </list>
/// </remarks>
public sealed partial class AzuriteProcess : IDisposable, IAsyncDisposable
{
    /// <summary>The emulator's well-known development account (public, the same in every Azurite).</summary>
    private const string AccountName = "devstoreaccount1";

    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Preloaded into node (an ES module in a data URL, so there is no file to ship or clean up): exit when standard
    /// input ends, which happens when the process that started Azurite is gone. Unreferenced, so that it never keeps
    /// node alive by itself.
    /// </summary>
    // Also: a terminal's Ctrl+C goes to the whole process group, Azurite included, and Azurite exits on SIGINT. The
    // app that started it must decide when it stops (after its Durable engine has handed its work back), so the
    // watchdog takes SIGINT for itself and drops the handlers Azurite registers for it.
    private const string Watchdog =
        "const quit = () => process.exit(0);"
        + "process.stdin.on('end', quit); process.stdin.on('close', quit); process.stdin.on('error', quit);"
        + "process.stdin.resume(); process.stdin.unref?.();"
        + "process.on('SIGINT', () => {});"
        + "for (const name of ['on', 'once', 'addListener', 'prependListener']) {"
        + " const original = process[name].bind(process);"
        + " process[name] = (event, listener) => event === 'SIGINT' ? process : original(event, listener); }";

    // Enough to explain a failed start; what comes later is Azurite's access log, which nobody reads here.
    private const int OutputLimit = 64 * 1024;

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly EventHandler _killOnExit;
    private bool _disposed;

    private AzuriteProcess(Process process, AzuritePorts ports)
    {
        _process = process;
        Ports = ports;
        ConnectionString =
            $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};"
            + string.Create(CultureInfo.InvariantCulture, $"BlobEndpoint=http://127.0.0.1:{ports.Blob}/{AccountName};")
            + string.Create(CultureInfo.InvariantCulture, $"QueueEndpoint=http://127.0.0.1:{ports.Queue}/{AccountName};")
            + string.Create(CultureInfo.InvariantCulture, $"TableEndpoint=http://127.0.0.1:{ports.Table}/{AccountName};");
        _killOnExit = (_, _) => Kill();
        AppDomain.CurrentDomain.ProcessExit += _killOnExit;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Where it listens.</summary>
    public AzuritePorts Ports { get; }

    /// <summary>
    /// A connection string for the Azure SDK clients: the development account <c>devstoreaccount1</c> with its
    /// well-known key, and http endpoints on 127.0.0.1 at <see cref="Ports"/>.
    /// </summary>
    public string ConnectionString { get; }

    /// <summary>Its operating-system process id (node's, which runs Azurite).</summary>
    public int ProcessId => _process.Id;

    /// <summary>What it printed so far (its first 64 KiB), for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="launcher"/> (from <see cref="AzuriteInstallation.EnsureInstalledAsync"/>) with node, in
    /// memory on <paramref name="ports"/>, and returns once Azurite reports each of its three services listening.
    /// </summary>
    /// <param name="launcher">The azurite launcher (node_modules/.bin/azurite, a link to Azurite's script) or a JavaScript file.</param>
    /// <param name="ports">Where its blob, queue and table services listen: none may be in use.</param>
    /// <param name="time">The clock for the start deadline.</param>
    /// <param name="cancellationToken">Stops waiting; Azurite is killed then.</param>
    /// <exception cref="AzuritePortsInUseException">Another program listens on one of <paramref name="ports"/>; nothing was started (or what was, was killed).</exception>
    /// <exception cref="InvalidOperationException">Node.js is missing, or Azurite did not listen on every port within a minute, or exited (its output says why).</exception>
    public static async Task<AzuriteProcess> StartAsync(string launcher, AzuritePorts ports, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(launcher);
        ArgumentNullException.ThrowIfNull(ports);
        ArgumentNullException.ThrowIfNull(time);
        await ThrowIfInUseAsync(ports, cancellationToken).ConfigureAwait(false);

        var start = new ProcessStartInfo("node")
        {
            // Azurite writes its debug log and workspace files to the working directory; keep them out of the repository.
            WorkingDirectory = Path.GetTempPath(),
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[]
        {
            "--import", "data:text/javascript;base64," + Convert.ToBase64String(Encoding.UTF8.GetBytes(Watchdog)),
            Script(launcher),
            // --loose and --skipApiVersionCheck: accept whatever the current Azure SDKs send.
            // --disableProductStyleUrl: the account always comes from the path, whatever host name a client uses.
            "--inMemoryPersistence", "--skipApiVersionCheck", "--loose", "--disableProductStyleUrl", "--disableTelemetry",
            "--blobHost", "127.0.0.1", "--blobPort", Text(ports.Blob),
            "--queueHost", "127.0.0.1", "--queuePort", Text(ports.Queue),
            "--tableHost", "127.0.0.1", "--tablePort", Text(ports.Table),
        })
        {
            start.ArgumentList.Add(arg);
        }

        const string NoNode = "Could not run node: install Node.js 20 or later to run Azurite.";
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException(NoNode);
        }
        catch (Win32Exception e)
        {
            // What Process.Start throws when node is not on the PATH: say what to install rather than "No such file or directory".
            throw new InvalidOperationException(NoNode, e);
        }

        var azurite = new AzuriteProcess(process, ports);
        try
        {
            await azurite.WaitUntilListeningAsync(time, cancellationToken).ConfigureAwait(false);
            return azurite;
        }
        catch
        {
            await azurite.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Kills it (and anything it started) now; <see cref="Dispose"/> still releases the handle.</summary>
    public void Kill()
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
            // It exited meanwhile, or the handle is already released.
        }
    }

    /// <summary>Kills it without waiting for it to be gone.</summary>
    public void Dispose()
    {
        if (Release())
        {
            _process.Dispose();
        }
    }

    /// <summary>Kills it and waits (at most 30 seconds) until it is gone, so that its ports are free again.</summary>
    /// <exception cref="TimeoutException">It was still running after 30 seconds.</exception>
    public async ValueTask DisposeAsync()
    {
        if (!Release())
        {
            return;
        }

        using (_process)
        {
            using var bounded = new CancellationTokenSource(ExitTimeout);
            try
            {
                await _process.WaitForExitAsync(bounded.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException e)
            {
                throw new TimeoutException($"Azurite (process {_process.Id}) was killed but had not exited after {ExitTimeout.TotalSeconds} seconds.", e);
            }
        }
    }

    private static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);

    /// <summary>The script node runs: the launcher is a link to Azurite's own script (its #! line names node).</summary>
    private static string Script(string launcher)
    {
        if (!File.Exists(launcher))
        {
            throw new InvalidOperationException($"The Azurite launcher {launcher} does not exist; AzuriteInstallation.EnsureInstalledAsync installs it.");
        }

        return File.ResolveLinkTarget(launcher, returnFinalTarget: true)?.FullName ?? Path.GetFullPath(launcher);
    }

    private static async Task ThrowIfInUseAsync(AzuritePorts ports, CancellationToken cancellationToken)
    {
        var taken = new List<int>();
        foreach (int port in ports.All)
        {
            if (await LoopbackPort.IsListeningAsync(port, cancellationToken).ConfigureAwait(false))
            {
                taken.Add(port);
            }
        }

        if (taken.Count > 0)
        {
            throw new AzuritePortsInUseException(ports, taken);
        }
    }

    private bool Release()
    {
        if (_disposed)
        {
            return false;
        }

        _disposed = true;
        AppDomain.CurrentDomain.ProcessExit -= _killOnExit;
        Kill();
        return true;
    }

    /// <summary>
    /// Waits until Azurite itself reports each service listening on its port (so that a program that took the port
    /// after the check is never mistaken for it) and the port accepts connections.
    /// </summary>
    private async Task WaitUntilListeningAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        DateTimeOffset deadline = time.GetUtcNow() + StartTimeout;
        foreach (int port in Ports.All)
        {
            string listening = string.Create(CultureInfo.InvariantCulture, $"successfully listening at http://127.0.0.1:{port}");
            while (!Output.Contains(listening, StringComparison.Ordinal) || !await LoopbackPort.IsListeningAsync(port, cancellationToken).ConfigureAwait(false))
            {
                if (_process.HasExited)
                {
                    await WaitForLastOutputAsync(cancellationToken).ConfigureAwait(false);
                    throw PortsInUse() ?? NotListening(port);
                }

                if (time.GetUtcNow() > deadline)
                {
                    throw NotListening(port);
                }

                await Task.Delay(PollInterval, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private InvalidOperationException NotListening(int port) => new($"Azurite did not start listening on port {port}. Its output:\n{Output}");

    /// <summary>
    /// Azurite exits with "listen EADDRINUSE: address already in use 127.0.0.1:PORT" when a port was taken between
    /// the check and its start.
    /// </summary>
    private AzuritePortsInUseException? PortsInUse()
    {
        int[] taken = [.. AddressInUse().Matches(Output)
            .Select(m => int.Parse(m.Groups["port"].Value, CultureInfo.InvariantCulture))
            .Where(Ports.All.Contains)
            .Distinct()];
        return taken.Length > 0 ? new AzuritePortsInUseException(Ports, taken) : null;
    }

    [GeneratedRegex(@"EADDRINUSE\b.*?:(?<port>\d{1,5})\b")]
    private static partial Regex AddressInUse();

    /// <summary>
    /// An exited process's last lines (such as why node could not run the script) may still be on their way through
    /// the pipes; they are the ones that explain the failure.
    /// </summary>
    private async Task WaitForLastOutputAsync(CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            // Once the process has exited, this waits only for the end of its redirected output.
            await _process.WaitForExitAsync(bounded.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Report what arrived so far.
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length < OutputLimit)
            {
                _output.AppendLine(line);
            }
        }
    }
}
