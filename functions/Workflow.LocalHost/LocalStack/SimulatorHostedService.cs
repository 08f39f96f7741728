using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Workflow.VehicleSimulator;

namespace Workflow.Functions.LocalStack;

/// <summary>Runs the vehicle API simulator in-process for a Development run without a configured vehicle API.</summary>
internal sealed partial class SimulatorHostedService(Uri url, ILoggerFactory loggers, ILogger<SimulatorHostedService> logger) : IHostedService, IAsyncDisposable
{
    private VehicleSimulatorServer? _server;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            _server = await VehicleSimulatorServer.StartAsync(
                new VehicleSimulatorOptions { Url = url.GetLeftPart(UriPartial.Authority), LoggerFactory = new WithoutHostLifetime(loggers) }, cancellationToken).ConfigureAwait(false);
            LogStarted(logger, _server.BaseAddress);
        }
        catch (IOException ex)
        {
            // Most likely a standalone simulator (dotnet run --project functions/Workflow.VehicleSimulator) already serves that port.
            LogPortTaken(logger, url, ex);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null)
        {
            await _server.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The simulator's own web host would announce "Hosting environment: Production" and its own start and stop in the
    /// middle of the app's Development output; keep its request logs, drop those.
    /// </summary>
    private sealed class WithoutHostLifetime(ILoggerFactory inner) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName)
            => categoryName.StartsWith("Microsoft.Hosting.Lifetime", StringComparison.Ordinal) ? NullLogger.Instance : inner.CreateLogger(categoryName);

        public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

        public void Dispose()
        {
            // Not owned: the app disposes its own logger factory.
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Vehicle API simulator listening on {BaseAddress}.")]
    private static partial void LogStarted(ILogger logger, Uri baseAddress);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Could not start the vehicle API simulator on {Url}; the app will call whatever listens there.")]
    private static partial void LogPortTaken(ILogger logger, Uri url, Exception exception);
}
