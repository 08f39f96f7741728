using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Workflow.Azurite;

namespace Workflow.Functions.LocalStack;

/// <summary>
/// Starts Azurite (the version pinned in the repository's package-lock.json) in memory on its default
/// ports, unless something already listens there, and stops it with the app.
/// </summary>
internal sealed partial class AzuriteHostedService(string contentRoot, TimeProvider time, ILogger<AzuriteHostedService> logger) : IHostedService, IDisposable
{
    private AzuriteProcess? _azurite;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        AzuritePorts ports = AzuritePorts.Default;
        bool[] listening = await Task.WhenAll(ports.All.Select(p => LoopbackPort.IsListeningAsync(p, cancellationToken))).ConfigureAwait(false);
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

        // The content root is the project folder under dotnet run; the others cover a run from elsewhere in the repository.
        string root = AzuriteInstallation.FindRepositoryRoot(contentRoot, Directory.GetCurrentDirectory(), AppContext.BaseDirectory)
            ?? throw new InvalidOperationException(
                "Azurite is not running on 127.0.0.1:10000-10002 and the repository's package.json (which pins Azurite) was not found above "
                + $"'{contentRoot}'. Run the app from the repository (dotnet run --project functions/Workflow.Functions), or start Azurite yourself.");

        string launcher = await AzuriteInstallation.EnsureInstalledAsync(root, () => LogInstalling(logger, root), cancellationToken).ConfigureAwait(false);
        _azurite = await AzuriteProcess.StartAsync(launcher, ports, time, cancellationToken).ConfigureAwait(false);
        LogStarted(logger, _azurite.ProcessId);
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _azurite?.Kill();
        return Task.CompletedTask;
    }

    public void Dispose() => _azurite?.Dispose();

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Azurite already listens on 127.0.0.1:10000-10002; using it.")]
    private static partial void LogAlreadyRunning(ILogger logger);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Installing Azurite from the npm lock file (npm ci in {Root}).")]
    private static partial void LogInstalling(ILogger logger, string root);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Started Azurite (process {ProcessId}) in memory on 127.0.0.1:10000-10002; its data is gone when the app stops.")]
    private static partial void LogStarted(ILogger logger, int processId);
}
