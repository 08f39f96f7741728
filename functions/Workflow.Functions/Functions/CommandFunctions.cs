using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Workflow.Api.Commands;

namespace Workflow.Functions.Functions;

/// <summary>
/// The product API as HTTP triggers. The Functions host checks the function key (<see cref="AuthorizationLevel.Function"/>)
/// before any of them runs; the handlers are the ones the local host maps too.
/// </summary>
public sealed class CommandFunctions(CommandHandlers handlers)
{
    /// <summary><c>POST /api/commands</c>.</summary>
    [Function(nameof(StartCommand))]
    public Task<IResult> StartCommand(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = CommandRoutes.Start)] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
        => handlers.StartAsync(request, client, cancellationToken);

    /// <summary><c>GET /api/commands/{id}</c>.</summary>
    [Function(nameof(GetCommandStatus))]
    public Task<IResult> GetCommandStatus(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = CommandRoutes.Status)] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        string id,
        CancellationToken cancellationToken)
        => handlers.GetStatusAsync(request, client, id, cancellationToken);

    /// <summary><c>POST /api/commands/{id}/pin?token=…</c>.</summary>
    [Function(nameof(SubmitCommandPin))]
    public Task<IResult> SubmitCommandPin(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = CommandRoutes.Pin)] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        string id,
        CancellationToken cancellationToken)
        => handlers.SubmitPinAsync(request, client, id, cancellationToken);
}
