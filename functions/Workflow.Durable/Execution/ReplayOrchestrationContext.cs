using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Workflow.Durable.Execution;

/// <summary>
/// The context handed to orchestrator code during a step. Every call gets the next sequence
/// number; during replay the call is matched with the history event of the same number, so code
/// that changed shape is caught instead of silently diverging.
/// </summary>
internal sealed class ReplayOrchestrationContext : TaskOrchestrationContext
{
    private readonly JsonSerializerOptions _json;
    private readonly Dictionary<int, HistoryEvent> _pastActions = [];
    private readonly HashSet<int> _replayedActions = [];
    private readonly Dictionary<int, (string Name, TaskCompletionSource<string?> Completion)> _openTasks = [];
    private readonly Dictionary<int, TaskCompletionSource<bool>> _openTimers = [];
    private readonly Dictionary<string, LinkedList<TaskCompletionSource<string?>>> _waiters = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Queue<string?>> _bufferedEvents = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<HistoryEvent> _newActions = [];
    private int _nextSequence;
    private int _guidCounter;

    public ReplayOrchestrationContext(string instanceId, IEnumerable<HistoryEvent> pastEvents, JsonSerializerOptions serializerOptions)
    {
        InstanceIdValue = instanceId;
        _json = serializerOptions;
        foreach (HistoryEvent e in pastEvents)
        {
            if (e.Type is HistoryEventType.TaskScheduled or HistoryEventType.TimerCreated)
            {
                _pastActions[e.EventId] = e;
            }
        }
    }

    public string NameValue { get; set; } = string.Empty;

    public string InstanceIdValue { get; }

    public DateTime CurrentUtcDateTimeValue { get; set; }

    public bool IsReplayingValue { get; set; } = true;

    public string? SerializedCustomStatus { get; private set; }

    public List<HistoryEvent> NewActions => _newActions;

    /// <summary>Set when the code diverged from history; the step then fails the instance whatever the code did with the exception.</summary>
    public NonDeterministicOrchestrationException? NonDeterminism { get; private set; }

    public override string Name => NameValue;

    public override string InstanceId => InstanceIdValue;

    public override DateTime CurrentUtcDateTime => CurrentUtcDateTimeValue;

    public override bool IsReplaying => IsReplayingValue;

    public override async Task<TResult> CallActivityAsync<TResult>(string name, object? input = null, TaskOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (options?.Retry is not { } policy)
        {
            return Deserialize<TResult>(await ScheduleActivity(name, input));
        }

        DateTime firstAttemptAt = CurrentUtcDateTime;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return Deserialize<TResult>(await ScheduleActivity(name, input));
            }
            catch (TaskFailedException failure) when (attempt < policy.MaxNumberOfAttempts && policy.Handle(failure))
            {
                TimeSpan delay = policy.GetDelay(attempt + 1);
                if (policy.RetryTimeout != Timeout.InfiniteTimeSpan && CurrentUtcDateTime + delay > firstAttemptAt + policy.RetryTimeout)
                {
                    throw;
                }

                await CreateTimer(CurrentUtcDateTime + delay, CancellationToken.None);
            }
        }
    }

    public override Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken)
    {
        int id = Schedule(HistoryEventType.TimerCreated, name: null, e => e with { FireAt = new DateTimeOffset(DateTime.SpecifyKind(fireAt, DateTimeKind.Utc)) });
        var completion = new TaskCompletionSource<bool>();
        _openTimers[id] = completion;
        if (cancellationToken.CanBeCanceled)
        {
            cancellationToken.Register(() =>
            {
                _openTimers.Remove(id);
                completion.TrySetCanceled(cancellationToken);
            });
        }

        return completion.Task;
    }

    public override Task<T> WaitForExternalEvent<T>(string eventName, CancellationToken cancellationToken = default)
        => WaitCore<T>(eventName, cancellationToken);

    public override async Task<T> WaitForExternalEvent<T>(string eventName, TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return await WaitCore<T>(eventName, CancellationToken.None);
        }

        using var timerCancellation = new CancellationTokenSource();
        using var waitCancellation = new CancellationTokenSource();
        Task<T> wait = WaitCore<T>(eventName, waitCancellation.Token);
        if (wait.IsCompleted)
        {
            return await wait;
        }

        Task timer = CreateTimer(CurrentUtcDateTime + timeout, timerCancellation.Token);
        Task winner = await Task.WhenAny(wait, timer);
        if (winner == wait)
        {
            timerCancellation.Cancel();
            return await wait;
        }

        waitCancellation.Cancel();
        throw new TaskCanceledException($"No '{eventName}' event arrived within {timeout}.");
    }

    public override void SetCustomStatus(object? customStatus)
        => SerializedCustomStatus = customStatus is null ? null : JsonSerializer.Serialize(customStatus, _json);

    public override Guid NewGuid()
    {
        // Name-based (version 5 layout, SHA-256) so every replay of this step derives the same value.
        string seed = FormattableString.Invariant($"{InstanceId}|{CurrentUtcDateTime:O}|{_guidCounter++}");
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(seed));
        byte[] bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    public void CompleteTask(int taskId, string? payload)
    {
        if (_openTasks.Remove(taskId, out var open))
        {
            open.Completion.TrySetResult(payload);
        }
    }

    public void FailTask(int taskId, TaskFailureDetails failure)
    {
        if (_openTasks.Remove(taskId, out var open))
        {
            open.Completion.TrySetException(new TaskFailedException(open.Name, taskId, failure));
        }
    }

    public void FireTimer(int timerId)
    {
        if (_openTimers.Remove(timerId, out var completion))
        {
            completion.TrySetResult(true);
        }
    }

    public void RaiseEvent(string name, string? payload)
    {
        if (_waiters.TryGetValue(name, out var waiters) && waiters.First is { } first)
        {
            waiters.RemoveFirst();
            first.Value.TrySetResult(payload);
            return;
        }

        if (!_bufferedEvents.TryGetValue(name, out var buffer))
        {
            _bufferedEvents[name] = buffer = new Queue<string?>();
        }

        buffer.Enqueue(payload);
    }

    /// <summary>Every task or timer in history must have been scheduled again by the code.</summary>
    public void VerifyAllPastActionsReplayed()
    {
        foreach ((int id, HistoryEvent past) in _pastActions)
        {
            if (!_replayedActions.Contains(id))
            {
                throw new NonDeterministicOrchestrationException(
                    $"Non-deterministic orchestration '{Name}' ({InstanceId}): history has {Describe(past)} at sequence #{id}, but the code no longer schedules it.");
            }
        }
    }

    private Task<string?> ScheduleActivity(string name, object? input)
    {
        string? payload = input is null ? null : JsonSerializer.Serialize(input, _json);
        int id = Schedule(HistoryEventType.TaskScheduled, name, e => e with { Payload = payload });
        var completion = new TaskCompletionSource<string?>();
        _openTasks[id] = (name, completion);
        return completion.Task;
    }

    private int Schedule(HistoryEventType type, string? name, Func<HistoryEvent, HistoryEvent> complete)
    {
        int id = _nextSequence++;
        var action = complete(new HistoryEvent { Type = type, Timestamp = CurrentUtcDateTime, EventId = id, Name = name });
        if (_pastActions.TryGetValue(id, out HistoryEvent? past))
        {
            if (past.Type != type || !string.Equals(past.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                NonDeterminism ??= new NonDeterministicOrchestrationException(
                    $"Non-deterministic orchestration '{Name}' ({InstanceId}): history expected {Describe(past)} at sequence #{id}, but the code called {Describe(action)}.");
                throw NonDeterminism;
            }

            _replayedActions.Add(id);
        }
        else
        {
            _newActions.Add(action);
        }

        return id;
    }

    private async Task<T> WaitCore<T>(string eventName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(eventName);
        if (_bufferedEvents.TryGetValue(eventName, out var buffer) && buffer.Count > 0)
        {
            return Deserialize<T>(buffer.Dequeue());
        }

        var completion = new TaskCompletionSource<string?>();
        if (!_waiters.TryGetValue(eventName, out var waiters))
        {
            _waiters[eventName] = waiters = new LinkedList<TaskCompletionSource<string?>>();
        }

        LinkedListNode<TaskCompletionSource<string?>> node = waiters.AddLast(completion);
        if (cancellationToken.CanBeCanceled)
        {
            cancellationToken.Register(() =>
            {
                // A cancelled waiter must not swallow a later event: that event gets buffered instead.
                if (node.List is not null)
                {
                    waiters.Remove(node);
                }

                completion.TrySetCanceled(cancellationToken);
            });
        }

        return Deserialize<T>(await completion.Task);
    }

    private T Deserialize<T>(string? payload)
        => payload is null ? default! : JsonSerializer.Deserialize<T>(payload, _json)!;

    private static string Describe(HistoryEvent e) => e.Type switch
    {
        HistoryEventType.TaskScheduled => $"CallActivityAsync('{e.Name}')",
        HistoryEventType.TimerCreated => "CreateTimer",
        _ => e.Type.ToString(),
    };
}
