using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Workflow.Durable.Execution;
using Workflow.Testing;

namespace Workflow.Durable.Tests;

/// <summary>At-least-once delivery: duplicates, crashes between commit and dispatch, poison messages.</summary>
public sealed class DeliveryTests
{
    [Fact]
    public async Task Duplicate_control_messages_add_nothing_to_history()
    {
        await using var host = await DurableTestHost.StartAsync(
            r => r.AddOrchestrator<AddThenWait>().AddActivity<CountedAddOne>(),
            o => o.InlineSafetyDelay = TimeSpan.FromSeconds(1),
            s => s.AddSingleton<AttemptCounter>());
        string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(AddThenWait), 1);
        await Eventually.TrueAsync(async () => (await host.HistoryAsync(id)).Any(e => e.EventType == "TaskCompleted"), "the activity to complete", DurableTestHost.CompletionTimeout);
        string executionId = (await host.Hub.InstanceRowAsync(id)).GetString("ExecutionId");

        // Redeliveries of messages already applied, each twice: the start, the activity result (with a
        // different payload, which must not win), and an event.
        var start = new ControlMessage { Kind = ControlMessageKind.Start, InstanceId = id, ExecutionId = executionId, MessageId = Guid.NewGuid().ToString("N") };
        var completed = new ControlMessage { Kind = ControlMessageKind.TaskCompleted, InstanceId = id, ExecutionId = executionId, MessageId = Guid.NewGuid().ToString("N"), TaskScheduledId = 0, Payload = "999" };
        var value = new ControlMessage { Kind = ControlMessageKind.EventRaised, InstanceId = id, ExecutionId = executionId, MessageId = Guid.NewGuid().ToString("N"), Name = "Value", Payload = "40" };
        foreach (ControlMessage message in new[] { start, completed, value, start, completed, value })
        {
            await host.Hub.SendControlAsync(message);
        }

        // Every message handled (the inline safety messages included) while the instance still runs.
        await Eventually.TrueAsync(async () => await RawHub.CountAsync(host.Hub.Control) == 0, "the control queue to drain", DurableTestHost.CompletionTimeout);
        var history = await host.HistoryAsync(id);
        Assert.Equal(OrchestrationRuntimeStatus.Running, (await host.Client.GetInstanceAsync(id))?.RuntimeStatus);
        HistoryAssert.IsConsistent(history);
        Assert.Equal("2", Assert.Single(HistoryAssert.OfType(history, "TaskCompleted")).SerializedPayload);
        Assert.Equal("40", Assert.Single(HistoryAssert.OfType(history, "EventRaised")).SerializedPayload);

        await host.Client.RaiseEventAsync(id, "Done", "ok");
        OrchestrationMetadata result = await host.WaitAsync(id);
        Assert.Equal(42, result.ReadOutputAs<int>());
        history = await host.HistoryAsync(id);
        HistoryAssert.IsConsistentAndComplete(history);
        Assert.Equal(2, HistoryAssert.OfType(history, "EventRaised").Count);
        Assert.Equal(1, host.Services.GetRequiredService<AttemptCounter>().Get(CountedAddOne.Key(id, 0)));
    }

    [Fact]
    public async Task Duplicate_work_item_runs_the_activity_again_but_history_records_one_completion()
    {
        await using var host = await DurableTestHost.StartAsync(
            r => r.AddOrchestrator<AddThenWait>().AddActivity<CountedAddOne>(),
            o => o.InlineSafetyDelay = TimeSpan.FromSeconds(1),
            s => s.AddSingleton<AttemptCounter>());
        string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(AddThenWait), 1);
        await Eventually.TrueAsync(async () => (await host.HistoryAsync(id)).Any(e => e.EventType == "TaskCompleted"), "the activity to complete", DurableTestHost.CompletionTimeout);
        string executionId = (await host.Hub.InstanceRowAsync(id)).GetString("ExecutionId");

        await host.Hub.SendWorkItemAsync(new WorkItemMessage { InstanceId = id, ExecutionId = executionId, TaskScheduledId = 0, Name = nameof(CountedAddOne), Payload = "1" });

        var counter = host.Services.GetRequiredService<AttemptCounter>();
        await Eventually.TrueAsync(
            async () => counter.Get(CountedAddOne.Key(id, 0)) == 2 && await RawHub.CountAsync(host.Hub.WorkItems) == 0 && await RawHub.CountAsync(host.Hub.Control) == 0,
            "the duplicate work item to run and its result to be handled", DurableTestHost.CompletionTimeout);
        var history = await host.HistoryAsync(id);
        HistoryAssert.IsConsistent(history);
        Assert.Single(HistoryAssert.OfType(history, "TaskCompleted"));

        await host.Client.RaiseEventAsync(id, "Value", 40);
        await host.Client.RaiseEventAsync(id, "Done", "ok");
        Assert.Equal(42, (await host.WaitAsync(id)).ReadOutputAs<int>());
        HistoryAssert.IsConsistentAndComplete(await host.HistoryAsync(id));
    }

    [Fact]
    public async Task Crash_after_commit_before_dispatch_leaves_the_outbox_and_redelivery_dispatches_it()
    {
        // Queue-driven only, so the crashed step's message is what comes back.
        await using var host = await DurableTestHost.StartAsync(
            r => r.AddOrchestrator<Chain>().AddActivity<AddOne>(),
            o =>
            {
                o.EnableInlineExecution = false;
                o.ControlMessageVisibilityTimeout = TimeSpan.FromSeconds(1);
            });
        var crashes = new CrashOnce(host.Hub);
        host.Steps.AfterCommitBeforeDispatch = crashes.HookAsync;

        OrchestrationMetadata result = await host.RunAsync(nameof(Chain), 3);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal(3, result.ReadOutputAs<int>());
        AssertCrashWasRecovered(host, crashes, result.InstanceId);
        var history = await host.HistoryAsync(result.InstanceId);
        HistoryAssert.IsConsistentAndComplete(history);
        Assert.Equal(3, HistoryAssert.OfType(history, "TaskScheduled").Count);
        Assert.Empty(await host.Hub.OutboxRowsAsync(result.InstanceId));
    }

    [Fact]
    public async Task Crash_after_commit_of_an_inline_step_is_recovered_by_the_next_step_of_the_instance()
    {
        // The inline start's safety message stays hidden far longer than the test: only the next step
        // (the event) can find and dispatch the outbox the crashed step left.
        await using var host = await DurableTestHost.StartAsync(
            r => r.AddOrchestrator<AddThenGo>().AddActivity<AddOne>(),
            o => o.InlineSafetyDelay = TimeSpan.FromMinutes(5));
        var crashes = new CrashOnce(host.Hub);
        host.Steps.AfterCommitBeforeDispatch = crashes.HookAsync;

        string id = "crashed-" + Guid.NewGuid().ToString("N");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(AddThenGo), 1, new StartOrchestrationOptions(id)));
        Assert.Equal(1, crashes.Count);
        Assert.Equal(0, await RawHub.CountAsync(host.Hub.WorkItems));
        Assert.Single(await host.Hub.OutboxRowsAsync(id));

        await host.Client.RaiseEventAsync(id, "Go", "go");
        OrchestrationMetadata result = await host.WaitAsync(id);

        Assert.Equal("2:go", result.ReadOutputAs<string>());
        AssertCrashWasRecovered(host, crashes, id);
        HistoryAssert.IsConsistentAndComplete(await host.HistoryAsync(id));
        Assert.Empty(await host.Hub.OutboxRowsAsync(id));
    }

    [Fact]
    public async Task Crash_after_commit_of_an_inline_step_is_recovered_when_its_safety_message_surfaces()
    {
        // Nothing else happens to the instance: the hidden message that backs the inline start must do it.
        await using var host = await DurableTestHost.StartAsync(
            r => r.AddOrchestrator<Chain>().AddActivity<AddOne>(),
            o => o.InlineSafetyDelay = TimeSpan.FromSeconds(1));
        var crashes = new CrashOnce(host.Hub);
        host.Steps.AfterCommitBeforeDispatch = crashes.HookAsync;

        string id = "crashed-" + Guid.NewGuid().ToString("N");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(Chain), 2, new StartOrchestrationOptions(id)));
        OrchestrationMetadata result = await host.WaitAsync(id);

        Assert.Equal(2, result.ReadOutputAs<int>());
        AssertCrashWasRecovered(host, crashes, result.InstanceId);
        HistoryAssert.IsConsistentAndComplete(await host.HistoryAsync(result.InstanceId));
        Assert.Empty(await host.Hub.OutboxRowsAsync(result.InstanceId));
    }

    [Theory]
    [InlineData(true, "{ this is not json")]
    [InlineData(true, "{\"kind\":\"Start\"}")]
    [InlineData(false, "plain text that is not even base64!")]
    public async Task Malformed_control_message_is_moved_to_the_poison_queue(bool base64Encoded, string text)
    {
        await using var host = await DurableTestHost.StartAsync(r => r.AddOrchestrator<Chain>().AddActivity<AddOne>());
        await (base64Encoded ? host.Hub.Control : host.Hub.RawControl).SendMessageAsync(text);

        await Eventually.TrueAsync(async () => await RawHub.CountAsync(host.Hub.Poison) == 1, "the message to reach the poison queue", DurableTestHost.CompletionTimeout);
        string poisoned = Assert.Single(await RawHub.PeekAsync(host.Hub.Poison));
        Assert.Equal(text, poisoned);
        await Eventually.TrueAsync(async () => await RawHub.CountAsync(host.Hub.Control) == 0, "the control queue to be empty", DurableTestHost.CompletionTimeout);

        // The listener keeps working.
        Assert.Equal(2, (await host.RunAsync(nameof(Chain), 2)).ReadOutputAs<int>());
    }

    [Fact]
    public async Task Control_message_that_keeps_failing_is_moved_to_the_poison_queue_after_MaxDequeueCount_deliveries()
    {
        // The visibility timeout is far longer than the test may take: a failed message must come back
        // after the short retry back-off, not after the timeout.
        await using var host = await DurableTestHost.StartAsync(
            r => r.AddOrchestrator<WaitForApproval>(),
            o =>
            {
                o.ControlMessageVisibilityTimeout = TimeSpan.FromMinutes(10);
                o.MaxDequeueCount = 2;
            });
        string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(WaitForApproval), 600.0);
        string executionId = (await host.Hub.InstanceRowAsync(id)).GetString("ExecutionId");

        // Well-formed, but its payload points at a blob that does not exist: every delivery fails.
        var broken = new ControlMessage { Kind = ControlMessageKind.EventRaised, InstanceId = id, ExecutionId = executionId, MessageId = Guid.NewGuid().ToString("N"), Name = "Approval", Payload = "@blob:" + id + "/missing" };
        await host.Hub.SendControlAsync(broken);

        await Eventually.TrueAsync(async () => await RawHub.CountAsync(host.Hub.Poison) == 1, "the failing message to reach the poison queue", DurableTestHost.CompletionTimeout);
        Assert.Contains(broken.MessageId, Assert.Single(await RawHub.PeekAsync(host.Hub.Poison)), StringComparison.Ordinal);
        Assert.True(host.Logs.Contains(8), host.Logs.Dump());

        // The instance is untouched and still takes events.
        Assert.Empty(HistoryAssert.OfType(await host.HistoryAsync(id), "EventRaised"));
        await host.Client.RaiseEventAsync(id, "Approval", "fine");
        Assert.Equal("fine", (await host.WaitAsync(id)).ReadOutputAs<string>());
    }

    private static void AssertCrashWasRecovered(DurableTestHost host, CrashOnce crashes, string instanceId)
    {
        Assert.Equal(1, crashes.Count);
        Assert.True(crashes.OutboxRowsAtCrash >= 1, "The crashed step had committed no outbox row.");
        Assert.True(host.Logs.Contains(5, instanceId), "No outbox recovery was logged.\n" + host.Logs.Dump());
    }

    /// <summary>
    /// Throws once from the hook, after the first commit: a worker dying between commit and dispatch. The
    /// exception is a cancellation, so that, as after a real crash, nothing of the interrupted call runs on
    /// (an inline step's caller does not fall back to sending its message).
    /// </summary>
    private sealed class CrashOnce(RawHub hub)
    {
        private int _count;

        public int Count => _count;

        public int OutboxRowsAtCrash { get; private set; }

        public async Task HookAsync(string instanceId, CancellationToken cancellationToken)
        {
            if (Interlocked.CompareExchange(ref _count, 1, 0) == 0)
            {
                List<TableEntity> outbox = await hub.OutboxRowsAsync(instanceId);
                OutboxRowsAtCrash = outbox.Count;
                throw new OperationCanceledException("Simulated crash after commit, before dispatch.");
            }
        }
    }
}
