using Workflow.Azurite;

namespace Workflow.Testing;

/// <summary>
/// A real Azurite (from the repository's npm lock file) on free loopback ports, in memory. Installs Azurite with
/// <c>npm ci</c> when the repository has not been installed yet. Whatever way the test process ends, its Azurites end
/// with it (see <see cref="AzuriteProcess"/>): none is left holding ports after <c>dotnet test</c>.
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    // Free ports are free when chosen; a parallel test process may take one before Azurite binds it. Then the start
    // fails with AzuritePortsInUseException (it never talks to someone else's server), and new ports are taken.
    private const int StartAttempts = 3;

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

    /// <summary>Its operating-system process id (node's).</summary>
    public int ProcessId => _process.ProcessId;

    /// <summary>A connection string for the Azure SDK clients (<see cref="AzuriteProcess.ConnectionString"/>).</summary>
    public string ConnectionString => _process.ConnectionString;

    /// <summary>What Azurite printed, for failure messages.</summary>
    public string Output => _process.Output;

    /// <summary>Starts a private Azurite on free ports (prefer <see cref="Shared"/>).</summary>
    public static async Task<AzuriteServer> StartAsync(CancellationToken cancellationToken)
    {
        string launcher = await AzuriteInstallation.EnsureInstalledAsync(RepositoryPaths.Root, installing: null, cancellationToken).ConfigureAwait(false);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return new AzuriteServer(await AzuriteProcess.StartAsync(launcher, AzuritePorts.FreeLoopback(), TimeProvider.System, cancellationToken).ConfigureAwait(false));
            }
            catch (AzuritePortsInUseException) when (attempt < StartAttempts)
            {
                // Taken between the choice and the start: choose again.
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
