using Microsoft.Extensions.Logging;

namespace Workflow.DurableSidecar;

/// <summary>The server's own log events.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Durable sidecar for task hub {HubName} listening on {Address}.")]
    public static partial void Listening(ILogger logger, string hubName, Uri address);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Durable sidecar for task hub {HubName} stopped after {Elapsed}.")]
    public static partial void Stopped(ILogger logger, string hubName, TimeSpan elapsed);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Work items still in flight after {StopTimeout} ({Activities} activities, {Orchestrations} orchestrations): abandoning them and stopping the durable engine.")]
    public static partial void Aborting(ILogger logger, TimeSpan stopTimeout, int activities, int orchestrations);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "The sidecar's dispatchers did not drain; stopping the durable engine directly.")]
    public static partial void ForcingEngineStop(ILogger logger);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "The durable engine did not stop within {Grace}; its leases expire on their own.")]
    public static partial void EngineStopTimedOut(ILogger logger, TimeSpan grace);

    [LoggerMessage(EventId = 6, Level = LogLevel.Debug, Message = "No pending work item to answer for.")]
    public static partial void NothingToAnswer(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7, Level = LogLevel.Error, Message = "The durable engine did not stop cleanly.")]
    public static partial void EngineStopFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 8, Level = LogLevel.Debug, Message = "Ignoring a start of the durable engine: the sidecar is stopping.")]
    public static partial void StartIgnored(ILogger logger);

    [LoggerMessage(EventId = 9, Level = LogLevel.Critical, Message = "The durable engine did not start; orchestrations will not run until the sidecar is restarted.")]
    public static partial void EngineStartFailed(ILogger logger, Exception exception);
}
