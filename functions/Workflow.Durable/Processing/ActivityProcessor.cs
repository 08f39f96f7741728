using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Workflow.Durable.Execution;
using Workflow.Durable.Storage;

namespace Workflow.Durable.Processing;

/// <summary>
/// Runs one activity invocation and hands its outcome to the orchestration: inline when allowed
/// (one storage transaction instead of a queue round trip), otherwise as a control message. The
/// work item is deleted only after that, so a crash re-runs the activity rather than losing it.
/// </summary>
internal sealed class ActivityProcessor(
    TaskHubStorage storage,
    DurableTaskRegistry registry,
    IServiceScopeFactory scopes,
    OrchestrationStepProcessor steps,
    IOptions<DurableTaskOptions> options,
    QueueSignals signals,
    ILogger<ActivityProcessor> logger)
{
    private readonly DurableTaskOptions _options = options.Value;

    public async Task ProcessAsync(WorkItemMessage workItem, int deliveryCount, CancellationToken cancellationToken)
    {
        ControlMessage outcome = await RunAsync(workItem, deliveryCount, cancellationToken).ConfigureAwait(false);
        // The work item itself backs the inline step: it is deleted only after this returns.
        if (_options.EnableInlineExecution && await steps.TryProcessInlineAsync(workItem.InstanceId, [outcome], anchor: null, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        await storage.SendControlAsync(outcome, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        signals.Control.Set();
    }

    private async Task<ControlMessage> RunAsync(WorkItemMessage workItem, int deliveryCount, CancellationToken cancellationToken)
    {
        using Activity? span = DurableDiagnostics.Source.StartActivity($"activity {workItem.Name}");
        span?.SetTag("durable.instance_id", workItem.InstanceId);
        span?.SetTag("durable.task_id", workItem.TaskScheduledId);
        var message = new ControlMessage
        {
            Kind = ControlMessageKind.TaskCompleted,
            InstanceId = workItem.InstanceId,
            ExecutionId = workItem.ExecutionId,
            MessageId = Guid.NewGuid().ToString("N"),
            TaskScheduledId = workItem.TaskScheduledId,
        };
        try
        {
            using IServiceScope scope = scopes.CreateScope();
            ITaskActivity activity = registry.CreateActivity(workItem.Name, scope.ServiceProvider)
                ?? throw new InvalidOperationException($"No activity named '{workItem.Name}' is registered in this worker.");
            string? inputJson = workItem.ClearPayload ?? await storage.ReadPayloadAsync(workItem.Payload, cancellationToken).ConfigureAwait(false);
            object? input = inputJson is null ? null : JsonSerializer.Deserialize(inputJson, activity.InputType, _options.SerializerOptions);
            var context = new TaskActivityContext(workItem.Name, workItem.InstanceId, workItem.TaskScheduledId, deliveryCount, cancellationToken);
            object? output = await activity.RunAsync(context, input).ConfigureAwait(false);
            string outputJson = JsonSerializer.Serialize(output, _options.SerializerOptions);
            return message with
            {
                Payload = await storage.WritePayloadAsync(workItem.InstanceId, outputJson, cancellationToken).ConfigureAwait(false),
                ClearPayload = outputJson,
            };
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            span?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            DurableDiagnostics.ActivityFailed(logger, workItem.Name, workItem.InstanceId, workItem.TaskScheduledId, ex.GetType().Name);
            TaskFailureDetails failure = TaskFailureDetails.FromException(ex);
            return message with
            {
                Kind = ControlMessageKind.TaskFailed,
                Failure = await storage.WriteFailureAsync(workItem.InstanceId, failure, cancellationToken).ConfigureAwait(false),
                ClearFailure = failure,
            };
        }
    }
}
