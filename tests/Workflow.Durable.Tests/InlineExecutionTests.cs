using Workflow.Testing;

namespace Workflow.Durable.Tests;

/// <summary>
/// The latency fast path: client calls run steps inline, activity results are applied by the worker
/// that ran them, and a worker runs the activities its own steps schedule. The messages that back all
/// this must be gone once the work is done, and must take over at once when an inline step fails.
/// </summary>
public sealed class InlineExecutionTests
{
    // Far longer than any test: a message that backs an inline step may only matter if it is deleted or made visible.
    private static readonly TimeSpan LongSafetyDelay = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task Inline_steps_and_local_activities_leave_no_message_behind()
    {
        await using var host = await DurableTestHost.StartAsync(
            r => r.AddOrchestrator<Chain>().AddOrchestrator<AddThenGo>().AddActivity<AddOne>(),
            o => o.InlineSafetyDelay = LongSafetyDelay);

        // No durable timers here: a timer is a hidden message by design.
        OrchestrationMetadata chain = await host.RunAsync(nameof(Chain), 3);
        string waiting = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(AddThenGo), 1);
        await host.Client.RaiseEventAsync(waiting, "Go", "yes");
        OrchestrationMetadata approved = await host.WaitAsync(waiting);

        Assert.Equal(3, chain.ReadOutputAs<int>());
        Assert.Equal("2:yes", approved.ReadOutputAs<string>());

        // The approximate count includes hidden messages: a start or event message left hidden, or a work item
        // never deleted, would show here.
        await Eventually.TrueAsync(
            async () => await RawHub.CountAsync(host.Hub.Control) == 0 && await RawHub.CountAsync(host.Hub.WorkItems) == 0,
            "the queues to be empty", DurableTestHost.CompletionTimeout);
        await Eventually.TrueAsync(
            async () => (await host.Hub.OutboxRowsAsync(chain.InstanceId)).Count == 0 && (await host.Hub.OutboxRowsAsync(waiting)).Count == 0,
            "the dispatched outbox rows to be deleted", DurableTestHost.CompletionTimeout);
        HistoryAssert.IsConsistentAndComplete(await host.HistoryAsync(chain.InstanceId));
        HistoryAssert.IsConsistentAndComplete(await host.HistoryAsync(waiting));
    }

    [Fact]
    public async Task An_inline_step_that_fails_hands_its_message_to_the_queue_at_once()
    {
        // The inline start commits, then fails before dispatching: its message must reach the listener now,
        // not when the hidden copy surfaces ten minutes later.
        await using var host = await DurableTestHost.StartAsync(
            r => r.AddOrchestrator<Chain>().AddActivity<AddOne>(),
            o => o.InlineSafetyDelay = LongSafetyDelay);
        int failures = 0;
        host.Steps.AfterCommitBeforeDispatch = (_, _) => Interlocked.Increment(ref failures) == 1
            ? throw new InvalidOperationException("Simulated failure after commit, before dispatch.")
            : Task.CompletedTask;

        OrchestrationMetadata result = await host.RunAsync(nameof(Chain), 2);

        Assert.Equal(2, result.ReadOutputAs<int>());
        Assert.True(host.Logs.Contains(6, result.InstanceId), "The inline step's failure was not logged.\n" + host.Logs.Dump());
        Assert.True(host.Logs.Contains(5, result.InstanceId), "The outbox the failed step left was not recovered.\n" + host.Logs.Dump());
        HistoryAssert.IsConsistentAndComplete(await host.HistoryAsync(result.InstanceId));
    }

    [Fact]
    public async Task Waiting_for_an_instance_this_process_finished_returns_its_final_state_as_stored()
    {
        await using var host = await DurableTestHost.StartAsync(r => r.AddOrchestrator<WaitForApproval>());
        string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(WaitForApproval), 600.0);
        await host.Client.RaiseEventAsync(id, "Approval", "granted");

        OrchestrationMetadata withPayloads = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true);
        OrchestrationMetadata withoutPayloads = await host.Client.WaitForInstanceCompletionAsync(id);
        OrchestrationMetadata stored = (await host.Client.GetInstanceAsync(id, getInputsAndOutputs: true))!;

        Assert.Equal(stored.RuntimeStatus, withPayloads.RuntimeStatus);
        Assert.Equal(stored.SerializedOutput, withPayloads.SerializedOutput);
        Assert.Equal(stored.SerializedInput, withPayloads.SerializedInput);
        Assert.Equal(stored.SerializedCustomStatus, withPayloads.SerializedCustomStatus);
        Assert.Equal(stored.CreatedAt, withPayloads.CreatedAt);
        Assert.Null(withoutPayloads.SerializedOutput);
        Assert.Null(withoutPayloads.SerializedInput);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, withoutPayloads.RuntimeStatus);
    }
}
