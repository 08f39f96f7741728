using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Workflow.Durable.Execution;
using Workflow.Durable.Processing;
using Workflow.Durable.Storage;

namespace Workflow.Durable;

/// <summary>
/// Executes orchestration steps and activities. Two drivers share the same handlers: in-process
/// queue listeners (standalone, <see cref="DurableTaskOptions.UseQueueListeners"/>), and the
/// one-message entry points that Azure Functions queue triggers call.
/// </summary>
public sealed class DurableTaskWorker : BackgroundService
{
    private readonly TaskHubStorage _storage;
    private readonly OrchestrationStepProcessor _steps;
    private readonly ActivityProcessor _activities;
    private readonly LocalActivityRunner _localActivities;
    private readonly QueueSignals _signals;
    private readonly DurableTaskOptions _options;
    private readonly ILogger<DurableTaskWorker> _logger;

    internal DurableTaskWorker(
        TaskHubStorage storage,
        OrchestrationStepProcessor steps,
        ActivityProcessor activities,
        LocalActivityRunner localActivities,
        QueueSignals signals,
        IOptions<DurableTaskOptions> options,
        ILogger<DurableTaskWorker> logger)
    {
        _storage = storage;
        _steps = steps;
        _activities = activities;
        _localActivities = localActivities;
        _signals = signals;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>The control queue (orchestration messages) a Functions queue trigger must listen to.</summary>
    public string ControlQueueName => _storage.Names.ControlQueue;

    /// <summary>The work-item queue (activity invocations) a Functions queue trigger must listen to.</summary>
    public string WorkItemQueueName => _storage.Names.WorkItemQueue;

    /// <summary>
    /// Handles one control-queue message delivered by a Functions queue trigger. Returning normally
    /// means the message may be deleted; an exception asks the host to deliver it again.
    /// </summary>
    /// <param name="messageText">The message text as the trigger received it.</param>
    /// <param name="cancellationToken">Cancels the step.</param>
    /// <exception cref="FormatException">The message is not a runtime control message.</exception>
    /// <exception cref="InvalidOperationException">The instance is contended; retry later.</exception>
    public async Task ProcessControlQueueMessageAsync(string messageText, CancellationToken cancellationToken)
    {
        ControlMessage message = TaskHubStorage.ParseControl(messageText);
        await _storage.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        if (await _steps.ProcessAsync(message.InstanceId, [message], anchor: null, cancellationToken).ConfigureAwait(false) == StepOutcome.Contended)
        {
            throw new InvalidOperationException($"Instance '{message.InstanceId}' is being updated by other workers; the message will be retried.");
        }
    }

    /// <summary>
    /// Handles one work-item message (an activity invocation) delivered by a Functions queue trigger.
    /// </summary>
    /// <param name="messageText">The message text as the trigger received it.</param>
    /// <param name="dequeueCount">The delivery count the trigger reports (1 for the first delivery).</param>
    /// <param name="cancellationToken">Cancels the activity.</param>
    /// <exception cref="FormatException">The message is not a runtime work item message.</exception>
    public async Task ProcessWorkItemQueueMessageAsync(string messageText, long dequeueCount, CancellationToken cancellationToken)
    {
        WorkItemMessage message = TaskHubStorage.ParseWorkItem(messageText);
        await _storage.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        await _activities.ProcessAsync(message, (int)Math.Min(dequeueCount, int.MaxValue), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await _storage.EnsureCreatedAsync(stoppingToken).ConfigureAwait(false);
        if (!_options.UseQueueListeners)
        {
            return;
        }

        var control = new QueueListener(
            _storage.Control, _signals.Control, _options.MaxConcurrentOrchestrations, _options.ControlMessageVisibilityTimeout,
            _options.MaxPollingInterval, _options.MaxDequeueCount, HandleControlBatchAsync,
            (m, ct) => _storage.MoveToPoisonAsync(_storage.Control, m, ct), _logger);
        var workItems = new QueueListener(
            _storage.WorkItems, _signals.WorkItems, _options.MaxConcurrentActivities, _options.WorkItemVisibilityTimeout,
            _options.MaxPollingInterval, _options.MaxDequeueCount, HandleWorkItemBatchAsync,
            (m, ct) => _storage.MoveToPoisonAsync(_storage.WorkItems, m, ct), _logger);
        if (_options.EnableInlineExecution)
        {
            _localActivities.Attach((workItem, receipt) => RunLocalWorkItemAsync(workItem, receipt, stoppingToken));
        }

        try
        {
            await Task.WhenAll(control.RunAsync(stoppingToken), workItems.RunAsync(stoppingToken)).ConfigureAwait(false);
        }
        finally
        {
            await _localActivities.DetachAsync().ConfigureAwait(false);
        }
    }

    private async Task HandleControlBatchAsync(IReadOnlyList<QueueMessage> batch, CancellationToken cancellationToken)
    {
        var parsed = new List<(QueueMessage Raw, ControlMessage Message)>(batch.Count);
        foreach (QueueMessage raw in batch)
        {
            try
            {
                parsed.Add((raw, TaskHubStorage.ParseControl(raw.MessageText)));
            }
            catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException)
            {
                await _storage.MoveToPoisonAsync(_storage.Control, raw, cancellationToken).ConfigureAwait(false);
            }
        }

        // One step per instance handles all of its messages in the batch: fewer transactions.
        await Task.WhenAll(parsed.GroupBy(p => p.Message.InstanceId, StringComparer.Ordinal).Select(async group =>
        {
            try
            {
                StepOutcome outcome = await _steps.ProcessAsync(group.Key, [.. group.Select(p => p.Message)], anchor: null, cancellationToken).ConfigureAwait(false);
                if (outcome != StepOutcome.Contended)
                {
                    await Task.WhenAll(group.Select(p => _storage.Control.DeleteMessageAsync(p.Raw.MessageId, p.Raw.PopReceipt, cancellationToken))).ConfigureAwait(false);
                    return;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                DurableDiagnostics.MessageFailed(_logger, _storage.Control.Name, ex);
            }

            await Task.WhenAll(group.Select(p => RetryLaterAsync(_storage.Control, p.Raw.MessageId, p.Raw.PopReceipt, p.Raw.DequeueCount, _options.ControlMessageVisibilityTimeout, cancellationToken))).ConfigureAwait(false);
        })).ConfigureAwait(false);
    }

    private async Task HandleWorkItemBatchAsync(IReadOnlyList<QueueMessage> batch, CancellationToken cancellationToken)
        => await Task.WhenAll(batch.Select(async raw =>
        {
            try
            {
                WorkItemMessage message = TaskHubStorage.ParseWorkItem(raw.MessageText);
                await _activities.ProcessAsync(message, (int)raw.DequeueCount, cancellationToken).ConfigureAwait(false);
                await _storage.WorkItems.DeleteMessageAsync(raw.MessageId, raw.PopReceipt, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException)
            {
                await _storage.MoveToPoisonAsync(_storage.WorkItems, raw, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                DurableDiagnostics.MessageFailed(_logger, _storage.WorkItems.Name, ex);
                await RetryLaterAsync(_storage.WorkItems, raw.MessageId, raw.PopReceipt, raw.DequeueCount, _options.WorkItemVisibilityTimeout, cancellationToken).ConfigureAwait(false);
            }
        })).ConfigureAwait(false);

    /// <summary>Handles an activity this process dispatched to itself (see <see cref="LocalActivityRunner"/>), like a received work item.</summary>
    private async Task RunLocalWorkItemAsync(WorkItemMessage workItem, SendReceipt receipt, CancellationToken stoppingToken)
    {
        try
        {
            await _activities.ProcessAsync(workItem, deliveryCount: 1, stoppingToken).ConfigureAwait(false);
            await _storage.TryDeleteMessageAsync(_storage.WorkItems, receipt.MessageId, receipt.PopReceipt, stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            DurableDiagnostics.MessageFailed(_logger, _storage.WorkItems.Name, ex);
            await RetryLaterAsync(_storage.WorkItems, receipt.MessageId, receipt.PopReceipt, dequeueCount: 1, _options.WorkItemVisibilityTimeout, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Shutting down: the hidden message comes back after its visibility timeout and another worker takes it.
        }
    }

    /// <summary>
    /// Brings a failed message back after a short back-off (1 s, doubling with each delivery, at most its
    /// visibility timeout) rather than the whole timeout: work items hide for minutes.
    /// </summary>
    private Task RetryLaterAsync(QueueClient queue, string messageId, string popReceipt, long dequeueCount, TimeSpan visibilityTimeout, CancellationToken cancellationToken)
    {
        double seconds = Math.Pow(2, Math.Clamp(dequeueCount - 1, 0, 20));
        TimeSpan delay = TimeSpan.FromSeconds(Math.Min(seconds, visibilityTimeout.TotalSeconds));
        return cancellationToken.IsCancellationRequested
            ? Task.CompletedTask
            : _storage.TryRetryLaterAsync(queue, messageId, popReceipt, delay, cancellationToken);
    }
}
