using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Workflow.Azurite;

/// <summary>
/// A running Azurite, in memory on given loopback ports, with what it printed kept for error messages. It is
/// killed when disposed, and at the latest when this process exits, so that no run leaves it holding its ports.
/// </summary>
public sealed class AzuriteProcess : IDisposable, IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

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
        _killOnExit = (_, _) => Kill();
        AppDomain.CurrentDomain.ProcessExit += _killOnExit;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Where it listens.</summary>
    public AzuritePorts Ports { get; }

    /// <summary>Its operating-system process id.</summary>
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
    /// Starts <paramref name="launcher"/> (from <see cref="AzuriteInstallation.EnsureInstalledAsync"/>) in memory on
    /// <paramref name="ports"/> and returns once all three accept connections.
    /// </summary>
    /// <param name="launcher">The azurite launcher.</param>
    /// <param name="ports">Where its blob, queue and table services listen; the caller makes sure they are free.</param>
    /// <param name="time">The clock for the start deadline.</param>
    /// <param name="cancellationToken">Stops waiting; Azurite is killed then.</param>
    /// <exception cref="InvalidOperationException">It did not listen on every port within a minute, or exited (its output says why).</exception>
    public static async Task<AzuriteProcess> StartAsync(string launcher, AzuritePorts ports, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ports);
        ArgumentNullException.ThrowIfNull(time);
        var start = new ProcessStartInfo(launcher)
        {
            // Azurite writes its debug log and workspace files to the working directory; keep them out of the repository.
            WorkingDirectory = Path.GetTempPath(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[]
        {
            // --loose and --skipApiVersionCheck: accept whatever the current Azure SDKs send.
            // --disableProductStyleUrl: the account always comes from the path, whatever host name a client uses.
            "--inMemoryPersistence", "--skipApiVersionCheck", "--loose", "--disableProductStyleUrl",
            "--blobHost", "127.0.0.1", "--blobPort", Text(ports.Blob),
            "--queueHost", "127.0.0.1", "--queuePort", Text(ports.Queue),
            "--tableHost", "127.0.0.1", "--tablePort", Text(ports.Table),
        })
        {
            start.ArgumentList.Add(arg);
        }

        var azurite = new AzuriteProcess(Process.Start(start) ?? throw new InvalidOperationException($"Could not start {launcher}."), ports);
        try
        {
            await azurite.WaitUntilListeningAsync(time, cancellationToken).ConfigureAwait(false);
            return azurite;
        }
        catch
        {
            azurite.Dispose();
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

    /// <summary>Kills it and waits until it is gone, so that its ports are free again.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Release())
        {
            await _process.WaitForExitAsync().ConfigureAwait(false);
            _process.Dispose();
        }
    }

    private static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);

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

    private async Task WaitUntilListeningAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        DateTimeOffset deadline = time.GetUtcNow() + StartTimeout;
        foreach (int port in Ports.All)
        {
            while (!await LoopbackPort.IsListeningAsync(port, cancellationToken).ConfigureAwait(false))
            {
                if (_process.HasExited)
                {
                    await WaitForLastOutputAsync(cancellationToken).ConfigureAwait(false);
                    throw NotListening(port);
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
    /// An exited process's last lines (such as "env: 'node': No such file or directory" when Node.js is missing) may
    /// still be on their way through the pipes; they are the ones that explain the failure.
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
