using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Workflow.Api;
using Workflow.Azurite;
using Workflow.VehicleSimulator;

namespace Workflow.LocalHost.LocalStack;

/// <summary>
/// What a Development run starts besides the app: Azurite (pinned in the repository's package-lock.json) when no
/// storage is configured, and the vehicle API simulator when no gateway is configured. Each is started on the
/// configured ports or refused with a clear error; their addresses are written into the app's configuration.
/// </summary>
internal sealed partial class LocalStack : IAsyncDisposable
{
    private readonly AzuriteProcess? _azurite;
    private readonly VehicleSimulatorServer? _simulator;

    private LocalStack(AzuriteProcess? azurite, VehicleSimulatorServer? simulator)
    {
        _azurite = azurite;
        _simulator = simulator;
    }

    /// <summary>A stack that started nothing: storage and gateway are configured.</summary>
    public static LocalStack None { get; } = new(null, null);

    /// <summary>Azurite's ports, when this stack started it.</summary>
    public AzuritePorts? AzuritePorts => _azurite?.Ports;

    /// <summary>The simulator's address, when this stack started it.</summary>
    public Uri? SimulatorAddress => _simulator?.BaseAddress;

    /// <summary>
    /// Starts what <paramref name="configuration"/> lacks and sets <c>AzureWebJobsStorage</c> and <c>VehicleApi:BaseUrl</c>
    /// to what it started.
    /// </summary>
    /// <exception cref="AzuritePortsInUseException">Something else listens on an Azurite port.</exception>
    /// <exception cref="InvalidOperationException">The simulator's port is taken, or the repository (for Azurite) is not found.</exception>
    public static async Task<LocalStack> StartAsync(
        IConfigurationManager configuration, LocalStackOptions options, string contentRoot, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        ILogger logger = loggers.CreateLogger<LocalStack>();
        AzuriteProcess? azurite = null;
        VehicleSimulatorServer? simulator = null;
        try
        {
            if (!StorageConnection.IsConfigured(configuration))
            {
                azurite = await StartAzuriteAsync(options, contentRoot, logger, cancellationToken).ConfigureAwait(false);
                configuration[StorageConnection.SettingName] = azurite.ConnectionString;
            }

            if (string.IsNullOrWhiteSpace(configuration["VehicleApi:BaseUrl"]))
            {
                simulator = await StartSimulatorAsync(options.SimulatorUrl, loggers, cancellationToken).ConfigureAwait(false);
                configuration["VehicleApi:BaseUrl"] = simulator.BaseAddress.AbsoluteUri;
                LogSimulatorStarted(logger, simulator.BaseAddress);
            }

            return new LocalStack(azurite, simulator);
        }
        catch
        {
            await new LocalStack(azurite, simulator).DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_simulator is not null)
        {
            await _simulator.DisposeAsync().ConfigureAwait(false);
        }

        if (_azurite is not null)
        {
            await _azurite.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task<AzuriteProcess> StartAzuriteAsync(LocalStackOptions options, string contentRoot, ILogger logger, CancellationToken cancellationToken)
    {
        AzuritePorts ports = options is { AzuriteBlobPort: 0, AzuriteQueuePort: 0, AzuriteTablePort: 0 }
            ? Workflow.Azurite.AzuritePorts.FreeLoopback()
            : new AzuritePorts(options.AzuriteBlobPort, options.AzuriteQueuePort, options.AzuriteTablePort);

        // The content root is the project folder under dotnet run; the others cover a run from elsewhere in the repository.
        string root = AzuriteInstallation.FindRepositoryRoot(contentRoot, Directory.GetCurrentDirectory(), AppContext.BaseDirectory)
            ?? throw new InvalidOperationException(
                $"No storage is configured and the repository's package.json (which pins Azurite) was not found above '{contentRoot}'. "
                + "Run the local host from the repository (dotnet run --project functions/Workflow.LocalHost), or set AzureWebJobsStorage to your own storage.");

        string launcher = await AzuriteInstallation.EnsureInstalledAsync(root, () => LogInstallingAzurite(logger, root), cancellationToken).ConfigureAwait(false);
        AzuriteProcess azurite = await AzuriteProcess.StartAsync(launcher, ports, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        LogAzuriteStarted(logger, azurite.ProcessId, azurite.Ports);
        return azurite;
    }

    private static async Task<VehicleSimulatorServer> StartSimulatorAsync(Uri url, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        try
        {
            return await VehicleSimulatorServer.StartAsync(
                new VehicleSimulatorOptions { Url = url.GetLeftPart(UriPartial.Authority), LoggerFactory = loggers }, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw new InvalidOperationException(
                $"The vehicle API simulator cannot listen on {url.GetLeftPart(UriPartial.Authority)}: something else uses that port ({ex.Message}). "
                + $"Stop it, or set {LocalStackOptions.SectionName}:SimulatorUrl to another address (port 0 takes a free one), "
                + "or set VehicleApi:BaseUrl to the gateway you mean to use.",
                ex);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Installing Azurite from the npm lock file (npm ci in {Root}).")]
    private static partial void LogInstallingAzurite(ILogger logger, string root);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Started Azurite (process {ProcessId}) in memory on 127.0.0.1, {Ports}; its data is gone when the app stops.")]
    private static partial void LogAzuriteStarted(ILogger logger, int processId, AzuritePorts ports);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Vehicle API simulator listening on {BaseAddress}.")]
    private static partial void LogSimulatorStarted(ILogger logger, Uri baseAddress);
}
