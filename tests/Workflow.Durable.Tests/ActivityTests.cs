using Microsoft.Extensions.DependencyInjection;

namespace Workflow.Durable.Tests;

public sealed class ActivityTests
{
    [Fact]
    public async Task Chain_of_activities_passes_each_result_to_the_next()
    {
        await using var host = await DurableTestHost.StartAsync(r => r.AddOrchestrator<Chain>().AddActivity<AddOne>());
        OrchestrationMetadata result = await host.RunAsync(nameof(Chain), 5);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal(5, result.ReadOutputAs<int>());
        var history = await host.HistoryAsync(result.InstanceId);
        HistoryAssert.IsConsistentAndComplete(history);
        Assert.Equal(["0", "1", "2", "3", "4"], HistoryAssert.OfType(history, "TaskScheduled").Select(e => e.SerializedPayload));
        Assert.Equal(["1", "2", "3", "4", "5"], HistoryAssert.OfType(history, "TaskCompleted").Select(e => e.SerializedPayload));

        // Sequential: each call is scheduled only after the previous one completed.
        var calls = history.Where(e => e.EventType is "TaskScheduled" or "TaskCompleted").Select(e => e.EventType).ToList();
        Assert.Equal(Enumerable.Repeat("TaskScheduled,TaskCompleted", 5).SelectMany(pair => pair.Split(',')), calls);
    }

    [Fact]
    public async Task Fan_out_schedules_every_activity_at_once_and_fan_in_combines_all_results()
    {
        await using var host = await DurableTestHost.StartAsync(r => r.AddOrchestrator<FanOutFanIn>().AddActivity<Square>());
        OrchestrationMetadata result = await host.RunAsync(nameof(FanOutFanIn), 6);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal(0 + 1 + 4 + 9 + 16 + 25, result.ReadOutputAs<int>());
        var history = await host.HistoryAsync(result.InstanceId);
        HistoryAssert.IsConsistentAndComplete(history);
        var types = history.Select(e => e.EventType).ToList();
        Assert.Equal(6, types.Count(t => t == "TaskScheduled"));
        Assert.True(types.LastIndexOf("TaskScheduled") < types.IndexOf("TaskCompleted"), HistoryAssert.Describe(history));
    }

    [Fact]
    public async Task Fan_out_wider_than_one_storage_transaction_completes()
    {
        // 120 activities scheduled in one step: more rows than one entity-group transaction takes.
        await using var host = await DurableTestHost.StartAsync(r => r.AddOrchestrator<FanOutFanIn>().AddActivity<Square>());
        OrchestrationMetadata result = await host.RunAsync(nameof(FanOutFanIn), 120);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal(Enumerable.Range(0, 120).Sum(i => i * i), result.ReadOutputAs<int>());
        var history = await host.HistoryAsync(result.InstanceId);
        HistoryAssert.IsConsistentAndComplete(history);
        Assert.Equal(120, HistoryAssert.OfType(history, "TaskScheduled").Count);
    }

    [Fact]
    public async Task Activity_failure_surfaces_as_TaskFailedException_with_type_message_and_inner_failure()
    {
        await using var host = await DurableTestHost.StartAsync(r => r.AddOrchestrator<CatchActivityFailure>().AddActivity<Fail>().AddActivity<AddOne>());
        OrchestrationMetadata result = await host.RunAsync(nameof(CatchActivityFailure), "kaboom");

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal(
            new FailureView(nameof(Fail), 1, typeof(InvalidOperationException).FullName!, "kaboom", typeof(ArgumentException).FullName!, "root cause: kaboom"),
            result.ReadOutputAs<FailureView>());
        OrchestrationHistoryEvent failed = Assert.Single(HistoryAssert.OfType(await host.HistoryAsync(result.InstanceId), "TaskFailed"));
        Assert.Equal(1, failed.TaskScheduledId);
        Assert.Equal("kaboom", failed.Failure?.ErrorMessage);
        Assert.Contains(nameof(Fail), failed.Failure?.StackTrace, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unhandled_activity_failure_fails_the_instance_with_failure_details()
    {
        await using var host = await DurableTestHost.StartAsync(r => r.AddOrchestrator<UnhandledActivityFailure>().AddActivity<Fail>());
        OrchestrationMetadata result = await host.RunAsync(nameof(UnhandledActivityFailure), "kaboom");

        Assert.Equal(OrchestrationRuntimeStatus.Failed, result.RuntimeStatus);
        TaskFailureDetails failure = Assert.IsType<TaskFailureDetails>(result.FailureDetails);
        Assert.Equal(typeof(TaskFailedException).FullName, failure.ErrorType);
        Assert.Contains($"'{nameof(Fail)}'", failure.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("kaboom", failure.ErrorMessage, StringComparison.Ordinal);

        // The activity's own failure is kept underneath, as in Durable Functions.
        Assert.Equal(typeof(InvalidOperationException).FullName, failure.InnerFailure?.ErrorType);
        Assert.Equal("kaboom", failure.InnerFailure?.ErrorMessage);
        Assert.Equal(typeof(ArgumentException).FullName, failure.InnerFailure?.InnerFailure?.ErrorType);

        var history = await host.HistoryAsync(result.InstanceId);
        HistoryAssert.IsConsistentAndComplete(history);
        Assert.Equal(OrchestrationRuntimeStatus.Failed, history[^1].OrchestrationStatus);
        Assert.Equal(failure, history[^1].Failure);
    }

    [Fact]
    public async Task Retry_policy_retries_failed_attempts_after_durable_backoff_timers()
    {
        await using var host = await StartRetryHostAsync();
        string key = Guid.NewGuid().ToString("N");
        OrchestrationMetadata result = await host.RunAsync(nameof(RetryingCall), new RetryInput(new FlakyInput(key, Failures: 2, ThrowArgumentException: false), MaxAttempts: 5, RetryOnlyInvalidOperation: true));

        Assert.Equal(new RetryOutcome(3, null, null), result.ReadOutputAs<RetryOutcome>());
        Assert.Equal(3, host.Services.GetRequiredService<AttemptCounter>().Get(key));
        var history = await host.HistoryAsync(result.InstanceId);
        HistoryAssert.IsConsistentAndComplete(history);
        Assert.Equal(3, HistoryAssert.OfType(history, "TaskScheduled").Count);
        Assert.Equal(2, HistoryAssert.OfType(history, "TaskFailed").Count);

        // The waits are durable timers in history, growing by the backoff coefficient.
        var timers = HistoryAssert.OfType(history, "TimerCreated");
        Assert.Equal(
            [RetryingCall.FirstRetryInterval, RetryingCall.FirstRetryInterval * RetryingCall.BackoffCoefficient],
            timers.Select(t => t.FireAt!.Value - t.Timestamp));
        Assert.Equal(timers.Select(t => t.EventId), HistoryAssert.OfType(history, "TimerFired").Select(t => t.TaskScheduledId));
        Assert.Equal(["TaskFailed", "TimerCreated", "TimerFired", "TaskScheduled", "TaskFailed", "TimerCreated", "TimerFired", "TaskScheduled", "TaskCompleted"],
            history.Where(e => e.EventType is not ("OrchestratorStarted" or "ExecutionStarted" or "ExecutionCompleted")).Skip(1).Select(e => e.EventType));
    }

    [Fact]
    public async Task Retry_policy_gives_up_after_the_maximum_number_of_attempts()
    {
        await using var host = await StartRetryHostAsync();
        string key = Guid.NewGuid().ToString("N");
        OrchestrationMetadata result = await host.RunAsync(nameof(RetryingCall), new RetryInput(new FlakyInput(key, Failures: 100, ThrowArgumentException: false), MaxAttempts: 3, RetryOnlyInvalidOperation: false));

        Assert.Equal(new RetryOutcome(null, typeof(InvalidOperationException).FullName, "attempt 3 failed"), result.ReadOutputAs<RetryOutcome>());
        Assert.Equal(3, host.Services.GetRequiredService<AttemptCounter>().Get(key));
        var history = await host.HistoryAsync(result.InstanceId);
        Assert.Equal(3, HistoryAssert.OfType(history, "TaskFailed").Count);
        Assert.Equal(2, HistoryAssert.OfType(history, "TimerCreated").Count);
    }

    [Fact]
    public async Task Retry_policy_handle_predicate_decides_which_failures_are_retried()
    {
        await using var host = await StartRetryHostAsync();
        string key = Guid.NewGuid().ToString("N");
        OrchestrationMetadata result = await host.RunAsync(nameof(RetryingCall), new RetryInput(new FlakyInput(key, Failures: 1, ThrowArgumentException: true), MaxAttempts: 5, RetryOnlyInvalidOperation: true));

        Assert.Equal(new RetryOutcome(null, typeof(ArgumentException).FullName, "attempt 1 rejected"), result.ReadOutputAs<RetryOutcome>());
        Assert.Equal(1, host.Services.GetRequiredService<AttemptCounter>().Get(key));
        var history = await host.HistoryAsync(result.InstanceId);
        Assert.Single(HistoryAssert.OfType(history, "TaskScheduled"));
        Assert.Empty(HistoryAssert.OfType(history, "TimerCreated"));
    }

    private static Task<DurableTestHost> StartRetryHostAsync()
        => DurableTestHost.StartAsync(
            r => r.AddOrchestrator<RetryingCall>().AddActivity<Flaky>(),
            services: s => s.AddSingleton<AttemptCounter>());
}
