using System.Text.Json;
using Microsoft.Extensions.Options;
using Workflow.Durable.Execution;
using Workflow.Durable.Processing;
using Workflow.Durable.Storage;

namespace Workflow.Durable;

/// <summary>
/// Starts, signals, inspects and manages orchestration instances. Thread-safe; register once.
/// </summary>
public sealed class DurableTaskClient
{
    private static readonly TimeSpan MinCompletionPoll = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxCompletionPoll = TimeSpan.FromSeconds(1);

    private readonly TaskHubStorage _storage;
    private readonly OrchestrationStepProcessor _steps;
    private readonly DurableTaskRegistry _registry;
    private readonly CompletionNotifier _completions;
    private readonly QueueSignals _signals;
    private readonly InstanceCache _cache;
    private readonly DurableTaskOptions _options;
    private readonly TimeProvider _time;

    internal DurableTaskClient(
        TaskHubStorage storage,
        OrchestrationStepProcessor steps,
        DurableTaskRegistry registry,
        CompletionNotifier completions,
        QueueSignals signals,
        InstanceCache cache,
        IOptions<DurableTaskOptions> options,
        TimeProvider time)
    {
        _storage = storage;
        _steps = steps;
        _registry = registry;
        _completions = completions;
        _signals = signals;
        _cache = cache;
        _options = options.Value;
        _time = time;
    }

    /// <summary>Schedules a new instance of <paramref name="orchestratorName"/>.</summary>
    /// <param name="orchestratorName">A registered orchestrator name.</param>
    /// <param name="input">The input, serialized to JSON.</param>
    /// <param name="options">The instance id to use, if the caller picks it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The instance id.</returns>
    /// <exception cref="ArgumentException">The orchestrator is not registered, or the instance id is not valid.</exception>
    /// <exception cref="OrchestrationAlreadyExistsException">The instance id is taken.</exception>
    public async Task<string> ScheduleNewOrchestrationInstanceAsync(
        string orchestratorName, object? input = null, StartOrchestrationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(orchestratorName);
        if (!_registry.HasOrchestrator(orchestratorName))
        {
            throw new ArgumentException($"No orchestrator named '{orchestratorName}' is registered.", nameof(orchestratorName));
        }

        string instanceId = options?.InstanceId ?? Guid.NewGuid().ToString("N");
        InstanceIds.Validate(instanceId);
        await _storage.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);

        string executionId = Guid.NewGuid().ToString("N");
        string? inputJson = input is null ? null : JsonSerializer.Serialize(input, _options.SerializerOptions);
        var start = new ControlMessage { Kind = ControlMessageKind.Start, InstanceId = instanceId, ExecutionId = executionId, MessageId = Guid.NewGuid().ToString("N") };
        if (!_options.EnableInlineExecution)
        {
            _ = await _storage.TryCreateInstanceAsync(instanceId, orchestratorName, executionId, inputJson, cancellationToken).ConfigureAwait(false)
                ?? throw new OrchestrationAlreadyExistsException(instanceId);
            _completions.ForgetRecent(instanceId);
            await SendAsync(start, cancellationToken).ConfigureAwait(false);
            return instanceId;
        }

        // The start message goes out (hidden) before the row: a crash between the two leaves a message
        // for an instance that does not exist, which is dropped, never a pending instance nobody starts.
        var anchor = new InlineAnchor(_storage, start, _options.InlineSafetyDelay);
        await anchor.EnsureSentAsync(cancellationToken).ConfigureAwait(false);
        InstanceState created = await _storage.TryCreateInstanceAsync(instanceId, orchestratorName, executionId, inputJson, cancellationToken).ConfigureAwait(false)
            ?? throw new OrchestrationAlreadyExistsException(instanceId);
        _completions.ForgetRecent(instanceId);
        _cache.Put(created);
        await RunInlineAsync(start, anchor, cancellationToken).ConfigureAwait(false);
        return instanceId;
    }

    /// <summary>Sends an event to a running (or pending) instance.</summary>
    /// <param name="instanceId">The instance.</param>
    /// <param name="eventName">The event name the orchestrator waits for (case-insensitive).</param>
    /// <param name="eventPayload">The event data, serialized to JSON.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="OrchestrationNotFoundException">No such instance.</exception>
    /// <exception cref="OrchestrationNotRunningException">The instance has finished.</exception>
    public async Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(eventName);
        string executionId = await GetActiveExecutionIdAsync(instanceId, allowCached: true, cancellationToken).ConfigureAwait(false);
        string? payload = eventPayload is null ? null : JsonSerializer.Serialize(eventPayload, _options.SerializerOptions);
        var message = new ControlMessage
        {
            Kind = ControlMessageKind.EventRaised,
            InstanceId = instanceId,
            ExecutionId = executionId,
            MessageId = Guid.NewGuid().ToString("N"),
            Name = eventName,
            Payload = await _storage.WritePayloadAsync(instanceId, payload, cancellationToken).ConfigureAwait(false),
            ClearPayload = payload,
        };
        await SendAndRunAsync(message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops an instance; its output becomes <paramref name="reason"/>.</summary>
    /// <exception cref="OrchestrationNotFoundException">No such instance.</exception>
    /// <exception cref="OrchestrationNotRunningException">The instance has already finished.</exception>
    public async Task TerminateInstanceAsync(string instanceId, object? reason = null, CancellationToken cancellationToken = default)
    {
        string executionId = await GetActiveExecutionIdAsync(instanceId, allowCached: false, cancellationToken).ConfigureAwait(false);
        string reasonJson = JsonSerializer.Serialize(reason, _options.SerializerOptions);
        var message = new ControlMessage
        {
            Kind = ControlMessageKind.Terminate,
            InstanceId = instanceId,
            ExecutionId = executionId,
            MessageId = Guid.NewGuid().ToString("N"),
            Payload = await _storage.WritePayloadAsync(instanceId, reasonJson, cancellationToken).ConfigureAwait(false),
            ClearPayload = reasonJson,
        };
        await SendAndRunAsync(message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads an instance's state; <c>null</c> when it does not exist.</summary>
    public Task<OrchestrationMetadata?> GetInstanceAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellationToken = default)
        => GetInstanceAsync(instanceId, getInputsAndOutputs, getHistory: false, cancellationToken);

    /// <summary>Reads an instance's state and, on request, its history; <c>null</c> when it does not exist.</summary>
    public async Task<OrchestrationMetadata?> GetInstanceAsync(string instanceId, bool getInputsAndOutputs, bool getHistory, CancellationToken cancellationToken = default)
    {
        InstanceIds.Validate(instanceId);
        await _storage.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        if (!getHistory)
        {
            return await _storage.GetMetadataAsync(instanceId, getInputsAndOutputs, cancellationToken).ConfigureAwait(false);
        }

        // The whole partition in one read: the instance row comes with the history.
        InstanceState? state = await _storage.LoadAsync(instanceId, cancellationToken).ConfigureAwait(false);
        return state is null
            ? null
            : Shape(state.ToMetadata(), getInputsAndOutputs) with { History = [.. state.History.Select(e => ToPublic(e, getInputsAndOutputs))] };
    }

    /// <summary>Lists instances matching <paramref name="query"/>, one page at a time.</summary>
    public async Task<OrchestrationQueryResult> QueryInstancesAsync(OrchestrationQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await _storage.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        return await _storage.QueryAsync(query, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits until the instance has completed, failed or been terminated.</summary>
    /// <exception cref="OrchestrationNotFoundException">No such instance.</exception>
    public async Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellationToken = default)
    {
        InstanceIds.Validate(instanceId);
        if (_completions.RecentlyCompleted(instanceId) is { } recent)
        {
            return Shape(recent, getInputsAndOutputs);
        }

        TimeSpan poll = MinCompletionPoll;
        while (true)
        {
            Task<OrchestrationMetadata> localCompletion = _completions.WhenCompletedAsync(instanceId);
            OrchestrationMetadata metadata;
            try
            {
                metadata = await GetInstanceAsync(instanceId, getInputsAndOutputs, cancellationToken).ConfigureAwait(false)
                    ?? throw new OrchestrationNotFoundException(instanceId);
            }
            catch
            {
                _completions.Forget(instanceId, localCompletion);
                throw;
            }

            if (metadata.IsCompleted)
            {
                // Finished here or elsewhere: when elsewhere, nobody will signal this waiter.
                _completions.Forget(instanceId, localCompletion);
                return metadata;
            }

            if (await Task.WhenAny(localCompletion, Task.Delay(poll, _time, cancellationToken)).ConfigureAwait(false) == localCompletion)
            {
                return Shape(await localCompletion.ConfigureAwait(false), getInputsAndOutputs);
            }

            cancellationToken.ThrowIfCancellationRequested();
            poll = TimeSpan.FromTicks(Math.Min(poll.Ticks * 2, MaxCompletionPoll.Ticks));
        }
    }

    /// <summary>Deletes a finished instance: its row, history, outbox and payload blobs.</summary>
    /// <returns>1 when the instance was purged, 0 when it did not exist.</returns>
    /// <exception cref="InvalidOperationException">The instance is still pending or running; terminate it first.</exception>
    public async Task<PurgeResult> PurgeInstanceAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        OrchestrationMetadata? metadata = await GetInstanceAsync(instanceId, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (metadata is null)
        {
            return new PurgeResult(0);
        }

        if (!metadata.IsCompleted)
        {
            throw new InvalidOperationException($"Orchestration instance '{instanceId}' is {metadata.RuntimeStatus}; terminate it before purging.");
        }

        _completions.ForgetRecent(instanceId);
        await _storage.PurgeAsync(instanceId, cancellationToken).ConfigureAwait(false);
        _cache.Remove(instanceId);
        return new PurgeResult(1);
    }

    // Queue-driven, the message makes the step durable. Inline, the commit does: the caller learns of
    // success only after it, and a hidden copy of the message (the anchor) goes to the queue only when
    // the step has an outbox a crash could strand. Only when the inline step fails is the message
    // handed to the queue for real.
    private async Task SendAndRunAsync(ControlMessage message, CancellationToken cancellationToken)
    {
        if (_options.EnableInlineExecution)
        {
            await RunInlineAsync(message, new InlineAnchor(_storage, message, _options.InlineSafetyDelay), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RunInlineAsync(ControlMessage message, InlineAnchor anchor, CancellationToken cancellationToken)
    {
        if (await _steps.TryProcessInlineAsync(message.InstanceId, [message], anchor, cancellationToken).ConfigureAwait(false))
        {
            await anchor.RetractAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SendAsync(ControlMessage message, CancellationToken cancellationToken)
    {
        await _storage.SendControlAsync(message, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        _signals.Control.Set();
    }

    /// <remarks>
    /// With <paramref name="allowCached"/>, an instance this process stepped last is taken from memory.
    /// That only widens a race every event has anyway (the instance may finish before the event is
    /// applied, and the event is then dropped), so it is fine for events; a termination must be refused
    /// when the instance has finished, so it always reads.
    /// </remarks>
    private async Task<string> GetActiveExecutionIdAsync(string instanceId, bool allowCached, CancellationToken cancellationToken)
    {
        InstanceIds.Validate(instanceId);
        if (allowCached && _cache.Peek(instanceId) is { IsTerminal: false } cached)
        {
            return cached.ExecutionId;
        }

        await _storage.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        (OrchestrationRuntimeStatus status, string executionId) = await _storage.GetStatusAsync(instanceId, cancellationToken).ConfigureAwait(false)
            ?? throw new OrchestrationNotFoundException(instanceId);
        return status is OrchestrationRuntimeStatus.Completed or OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated
            ? throw new OrchestrationNotRunningException(instanceId, status)
            : executionId;
    }

    private static OrchestrationMetadata Shape(OrchestrationMetadata final, bool includePayloads)
        => includePayloads ? final : final with { SerializedInput = null, SerializedOutput = null };

    private static OrchestrationHistoryEvent ToPublic(HistoryEvent e, bool includePayloads) => new(
        e.Type.ToString(),
        e.Timestamp,
        e.EventId,
        e.Name,
        e.TaskScheduledId,
        includePayloads ? e.Payload : null,
        e.FireAt,
        e.Failure,
        e.Status);
}
