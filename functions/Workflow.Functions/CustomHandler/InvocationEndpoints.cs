using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Workflow.Durable;

namespace Workflow.Functions.CustomHandler;

/// <summary>
/// The custom-handler side of the runtime's queue triggers: the Functions host receives a message from
/// the control or work-item queue and posts it to <c>/{FunctionName}</c>; the app runs the step. A 200
/// lets the host delete the message; a 500 makes it retry (after <c>visibilityTimeout</c>) and, after
/// <c>maxDequeueCount</c> deliveries, move it to the host's poison queue.
/// </summary>
public static partial class InvocationEndpoints
{
    /// <summary>Maps <c>POST /ControlQueueTrigger</c> and <c>POST /WorkItemQueueTrigger</c>.</summary>
    /// <param name="endpoints">The app.</param>
    /// <returns>The same builder.</returns>
    public static IEndpointRouteBuilder MapCustomHandlerInvocations(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        RouteGroupBuilder invocations = endpoints.MapGroup(string.Empty)
            .WithTags("Custom handler")
            .ExcludeFromDescription();

        invocations.MapPost("/" + FunctionNames.ControlQueueTrigger, (InvocationRequest invocation, DurableTaskWorker worker, ILoggerFactory loggers, CancellationToken cancellationToken)
            => InvokeAsync(invocation, FunctionNames.ControlQueueTrigger, (text, _, ct) => worker.ProcessControlQueueMessageAsync(text, ct), loggers, cancellationToken));

        invocations.MapPost("/" + FunctionNames.WorkItemQueueTrigger, (InvocationRequest invocation, DurableTaskWorker worker, ILoggerFactory loggers, CancellationToken cancellationToken)
            => InvokeAsync(invocation, FunctionNames.WorkItemQueueTrigger, worker.ProcessWorkItemQueueMessageAsync, loggers, cancellationToken));

        return endpoints;
    }

    private static async Task<Results<Ok<InvocationResponse>, BadRequest<InvocationResponse>, JsonHttpResult<InvocationResponse>>> InvokeAsync(
        InvocationRequest invocation,
        string functionName,
        Func<string, long, CancellationToken, Task> process,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        if (!TryReadMessage(invocation, out string? message, out long dequeueCount, out string? problem))
        {
            return TypedResults.BadRequest(InvocationResponse.Failed($"{functionName}: {problem}"));
        }

        try
        {
            await process(message!, dequeueCount, cancellationToken).ConfigureAwait(false);
            return TypedResults.Ok(InvocationResponse.Empty);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Runtime messages name instances and steps, never payloads; the type and message are safe to log.
            LogFailed(loggers.CreateLogger(typeof(InvocationEndpoints).FullName!), functionName, dequeueCount, ex);
            return TypedResults.Json(
                InvocationResponse.Failed(string.Create(CultureInfo.InvariantCulture, $"{functionName} failed (delivery {dequeueCount}): {ex.GetType().Name}: {ex.Message}")),
                statusCode: StatusCodes.Status500InternalServerError);
        }
    }

    /// <summary>Extracts the queue message text and delivery count from an invocation.</summary>
    internal static bool TryReadMessage(InvocationRequest invocation, out string? message, out long dequeueCount, out string? problem)
    {
        message = null;
        dequeueCount = 1;
        if (invocation.Data is null || !invocation.Data.TryGetValue(FunctionNames.QueueTriggerBinding, out JsonElement data))
        {
            problem = $"the invocation has no Data.{FunctionNames.QueueTriggerBinding} (the queue trigger binding of function.json).";
            return false;
        }

        // The host passes the message text as a JSON string; should it pass a JSON message as an object instead,
        // its raw text is the same message.
        message = data.ValueKind switch
        {
            JsonValueKind.String => data.GetString(),
            JsonValueKind.Object or JsonValueKind.Array => data.GetRawText(),
            _ => null,
        };
        if (string.IsNullOrEmpty(message))
        {
            problem = $"Data.{FunctionNames.QueueTriggerBinding} is not a queue message.";
            return false;
        }

        if (invocation.Metadata is not null && invocation.Metadata.TryGetValue("DequeueCount", out JsonElement count))
        {
            if (count.ValueKind == JsonValueKind.Number && count.TryGetInt64(out long number))
            {
                dequeueCount = number;
            }
            else if (count.ValueKind == JsonValueKind.String && long.TryParse(count.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out long parsed))
            {
                dequeueCount = parsed;
            }
        }

        dequeueCount = Math.Max(1, dequeueCount);
        problem = null;
        return true;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "{FunctionName} failed on delivery {DequeueCount}; the Functions host will deliver the message again.")]
    private static partial void LogFailed(ILogger logger, string functionName, long dequeueCount, Exception exception);
}
