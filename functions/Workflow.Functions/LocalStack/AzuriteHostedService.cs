using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Workflow.Functions.LocalStack;

/// <summary>
/// Starts Azurite (the version pinned in the repository's package-lock.json) in memory on its default
/// ports, unless something already listens there, and stops it with the app.
/// </summary>
internal sealed partial class AzuriteHostedService(string contentRoot, TimeProvider time, ILogger<AzuriteHostedService> logger) : IHostedService, IDisposable
{
    public static readonly int[] Ports = [10000, 10001, 10002];
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);

    private readonly StringBuilder _output = new();
    private Process? _process;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        bool[] listening = await Task.WhenAll(Ports.Select(p => IsListeningAsync(p, cancellationToken))).ConfigureAwait(false);
        if (listening.All(l => l))
        {
            LogAlreadyRunning(logger);
            return;
        }

        if (listening.Any(l => l))
        {
            throw new InvalidOperationException(
                "Some of the Azurite ports 10000 (blob), 10001 (queue), 10002 (table) are taken and others are free: another program uses them. "
                + "Stop it, or run Azurite yourself on all three and start the app again.");
        }

        string root = RepositoryRoot.Find(contentRoot)
            ?? throw new InvalidOperationException(
                "Azurite is not running on 127.0.0.1:10000-10002 and the repository's package.json (which pins Azurite) was not found above "
                + $"'{contentRoot}'. Run the app from the repository (dotnet run --project functions/Workflow.Functions), or start Azurite yourself.");

        string azurite = await EnsureInstalledAsync(root, cancellationToken).ConfigureAwait(false);
        var start = new ProcessStartInfo(azurite)
        {
            // Azurite writes its debug log and workspace files to the working directory; keep them out of the repository.
            WorkingDirectory = Path.GetTempPath(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "--inMemoryPersistence", "--skipApiVersionCheck", "--loose",
            "--blobHost", "127.0.0.1", "--blobPort", Port(0), "--queueHost", "127.0.0.1", "--queuePort", Port(1), "--tableHost", "127.0.0.1", "--tablePort", Port(2) })
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {azurite}.");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        DateTimeOffset deadline = time.GetUtcNow() + StartTimeout;
        foreach (int port in Ports)
        {
            while (!await IsListeningAsync(port, cancellationToken).ConfigureAwait(false))
            {
                if (_process.HasExited || time.GetUtcNow() > deadline)
                {
                    Kill();
                    throw new InvalidOperationException($"Azurite did not start listening on port {port}. Its output:\n{Output()}");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken).ConfigureAwait(false);
            }
        }

        LogStarted(logger, _process.Id);
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Kill();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        Kill();
        _process?.Dispose();
    }

    private static string Port(int index) => Ports[index].ToString(CultureInfo.InvariantCulture);

    private async Task<string> EnsureInstalledAsync(string root, CancellationToken cancellationToken)
    {
        string bin = Path.Combine(root, "node_modules", ".bin", "azurite");
        if (File.Exists(bin))
        {
            return bin;
        }

        LogInstalling(logger, root);
        var npm = new ProcessStartInfo("npm") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "ci", "--no-audit", "--no-fund" })
        {
            npm.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(npm) ?? throw new InvalidOperationException("Could not run npm: install Node.js 20 or later (with npm) to run Azurite.");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        Task<string> stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(InstallTimeout);
        await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        if (process.ExitCode != 0 || !File.Exists(bin))
        {
            throw new InvalidOperationException(
                $"npm ci in {root} failed (exit code {process.ExitCode}), so Azurite is not installed.\n{await stdout.ConfigureAwait(false)}\n{await stderr.ConfigureAwait(false)}");
        }

        return bin;
    }

    private static async Task<bool> IsListeningAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
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
            // Enough to explain a failed start; Azurite is quiet once it runs.
            if (_output.Length < 64 * 1024)
            {
                _output.AppendLine(line);
            }
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    private void Kill()
    {
        try
        {
            if (_process is { HasExited: false })
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited meanwhile.
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Azurite already listens on 127.0.0.1:10000-10002; using it.")]
    private static partial void LogAlreadyRunning(ILogger logger);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Installing Azurite from the npm lock file (npm ci in {Root}).")]
    private static partial void LogInstalling(ILogger logger, string root);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Started Azurite (process {ProcessId}) in memory on 127.0.0.1:10000-10002; its data is gone when the app stops.")]
    private static partial void LogStarted(ILogger logger, int processId);
}
