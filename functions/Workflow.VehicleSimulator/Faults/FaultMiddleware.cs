using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Workflow.VehicleSimulator.Pims;
using Workflow.VehicleSimulator.State;

namespace Workflow.VehicleSimulator.Faults;

/// <summary>
/// Applies queued faults to the vehicle API before anything else runs, so a faulted request
/// neither authenticates nor acts: a client that retries it sees exactly one effect.
/// </summary>
internal sealed partial class FaultMiddleware(RequestDelegate next, SimulatorState state, ILogger<FaultMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? string.Empty;
        if (!path.StartsWith(FaultInjector.ApiPathPrefix, StringComparison.OrdinalIgnoreCase)
            || state.Faults.TryTake(path) is not { } hit)
        {
            await next(context);
            return;
        }

        await hit.Delay.WaitAsync(context.RequestAborted);
        if (hit.Status == 0)
        {
            await next(context);
            return;
        }

        LogFault(logger, hit.Status, path);
        if (PimsEndpoint.IsPimsPath(path))
        {
            var at = state.Time.GetUtcNow();
            var (request, _) = await PimsRequestReader.ReadAsync(context.Request, context.RequestAborted);
            state.Requests.Add(PimsEndpoint.Entry(at, request, PimsRequestReader.IdempotencyKey(context.Request), hit.Status, PimsEndpoint.VerbOf(path)));
        }

        await Results.Problem(
                detail: "Fault injected through POST /_sim/faults; the request was not processed.",
                statusCode: hit.Status,
                title: "Simulated fault")
            .ExecuteAsync(context);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Injected fault: HTTP {Status} for {Path}")]
    private static partial void LogFault(ILogger logger, int status, string path);
}
