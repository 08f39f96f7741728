using Workflow.Azurite;

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

    private readonly AzuriteProcess _process;

    private AzuriteServer(AzuriteProcess process) => _process = process;

    /// <summary>The process-wide instance; tests isolate themselves with their own task hub names.</summary>
    public static Task<AzuriteServer> Shared => SharedServer.Value;

    /// <summary>The blob service port.</summary>
    public int BlobPort => _process.Ports.Blob;

    /// <summary>The queue service port.</summary>
    public int QueuePort => _process.Ports.Queue;

    /// <summary>The table service port.</summary>
    public int TablePort => _process.Ports.Table;

    /// <summary>A connection string for the Azure SDK clients.</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{AccountName};QueueEndpoint=http://127.0.0.1:{QueuePort}/{AccountName};TableEndpoint=http://127.0.0.1:{TablePort}/{AccountName};";

    /// <summary>What Azurite printed, for failure messages.</summary>
    public string Output => _process.Output;

    /// <summary>Starts a private Azurite (prefer <see cref="Shared"/>).</summary>
    public static async Task<AzuriteServer> StartAsync(CancellationToken cancellationToken)
    {
        string launcher = await AzuriteInstallation.EnsureInstalledAsync(RepositoryPaths.Root, installing: null, cancellationToken).ConfigureAwait(false);
        var ports = new AzuritePorts(FreePort.Next(), FreePort.Next(), FreePort.Next());
        return new AzuriteServer(await AzuriteProcess.StartAsync(launcher, ports, TimeProvider.System, cancellationToken).ConfigureAwait(false));
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
