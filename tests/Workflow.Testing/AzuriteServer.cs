using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Workflow.Testing;

/// <summary>
/// A real Azurite (from the repository's npm lock file) on free loopback ports, in memory,
/// started once per test process and killed when it exits. Installs Azurite with <c>npm ci</c>
/// when the repository has not been installed yet.
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    private const string AccountName = "devstoreaccount1";
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly Lazy<Task<AzuriteServer>> SharedServer = new(() => StartAsync(CancellationToken.None));
    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    private readonly Process _process;
    private readonly StringBuilder _output;

    private AzuriteServer(Process process, StringBuilder output, int blobPort, int queuePort, int tablePort)
    {
        _process = process;
        _output = output;
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
    }

    /// <summary>The process-wide instance; tests isolate themselves with their own task hub names.</summary>
    public static Task<AzuriteServer> Shared => SharedServer.Value;

    /// <summary>The blob service port.</summary>
    public int BlobPort { get; }

    /// <summary>The queue service port.</summary>
    public int QueuePort { get; }

    /// <summary>The table service port.</summary>
    public int TablePort { get; }

    /// <summary>A connection string for the Azure SDK clients.</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{AccountName};QueueEndpoint=http://127.0.0.1:{QueuePort}/{AccountName};TableEndpoint=http://127.0.0.1:{TablePort}/{AccountName};";

    /// <summary>Starts a private Azurite (prefer <see cref="Shared"/>).</summary>
    public static async Task<AzuriteServer> StartAsync(CancellationToken cancellationToken)
    {
        string azurite = await EnsureInstalledAsync(cancellationToken).ConfigureAwait(false);
        int blob = FreePort.Next(), queue = FreePort.Next(), table = FreePort.Next();
        var start = new ProcessStartInfo(azurite)
        {
            WorkingDirectory = Path.GetTempPath(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[]
        {
            "--inMemoryPersistence", "--skipApiVersionCheck", "--loose", "--disableProductStyleUrl",
            "--blobHost", "127.0.0.1", "--blobPort", blob.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--queueHost", "127.0.0.1", "--queuePort", queue.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--tableHost", "127.0.0.1", "--tablePort", table.ToString(System.Globalization.CultureInfo.InvariantCulture),
        })
        {
            start.ArgumentList.Add(arg);
        }

        var output = new StringBuilder();
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start Azurite.");
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new AzuriteServer(process, output, blob, queue, table);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Kill();

        DateTime deadline = DateTime.UtcNow.AddSeconds(60);
        foreach (int port in new[] { blob, queue, table })
        {
            while (!await IsListeningAsync(port, cancellationToken).ConfigureAwait(false))
            {
                if (process.HasExited || DateTime.UtcNow > deadline)
                {
                    server.Kill();
                    throw new InvalidOperationException($"Azurite did not start listening on port {port}. Output:\n{server.Output}");
                }

                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }

        return server;
    }

    /// <summary>What Azurite printed, for failure messages.</summary>
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

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        Kill();
        await _process.WaitForExitAsync().ConfigureAwait(false);
        _process.Dispose();
    }

    private void Kill()
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

    /// <summary>Returns the path of the azurite launcher, running <c>npm ci</c> first when it is missing.</summary>
    public static async Task<string> EnsureInstalledAsync(CancellationToken cancellationToken)
    {
        string bin = Path.Combine(RepositoryPaths.Root, "node_modules", ".bin", "azurite");
        await InstallGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (File.Exists(bin))
            {
                return bin;
            }

            var npm = new ProcessStartInfo("npm") { WorkingDirectory = RepositoryPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string arg in new[] { "ci", "--no-audit", "--no-fund" })
            {
                npm.ArgumentList.Add(arg);
            }

            using Process process = Process.Start(npm) ?? throw new InvalidOperationException("Could not run npm; install Node.js 20+ and npm.");
            Task<string> stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            Task<string> stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromMinutes(5));
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            if (process.ExitCode != 0 || !File.Exists(bin))
            {
                throw new InvalidOperationException($"npm ci failed ({process.ExitCode}); Azurite is not installed.\n{await stdout.ConfigureAwait(false)}\n{await stderr.ConfigureAwait(false)}");
            }

            return bin;
        }
        finally
        {
            InstallGate.Release();
        }
    }
}
