using Workflow.Testing;

namespace Workflow.Durable.Tests;

public sealed class TimerAndEventTests
{
    [Fact]
    public async Task Durable_timer_fires_at_its_due_time_and_never_before()
    {
        await using var host = await DurableTestHost.StartAsync(r => r.AddOrchestrator<Sleep>());
        OrchestrationMetadata result = await host.RunAsync(nameof(Sleep), 1.5);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        TimerReport report = result.ReadOutputAs<TimerReport>()!;
        Assert.Equal(report.Start.AddSeconds(1.5), report.Due);
        Assert.True(report.After >= report.Due, $"The orchestration resumed at {report.After:O}, before the timer was due at {report.Due:O}.");

        var history = await host.HistoryAsync(result.InstanceId);
        HistoryAssert.IsConsistentAndComplete(history);
        OrchestrationHistoryEvent created = Assert.Single(HistoryAssert.OfType(history, "TimerCreated"));
        OrchestrationHistoryEvent fired = Assert.Single(HistoryAssert.OfType(history, "TimerFired"));
        Assert.Equal(report.Due, created.FireAt?.UtcDateTime);
        Assert.Equal(created.EventId, fired.TaskScheduledId);
    }

    [Fact]
    public async Task Event_raised_before_the_orchestrator_waits_for_it_is_buffered()
    {
        await using var host = await DurableTestHost.StartAsync(r => r.AddOrchestrator<GateThenCollect>());
        string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(GateThenCollect), 1);
        await Eventually.TrueAsync(async () => (await host.Client.GetInstanceAsync(id))?.SerializedCustomStatus == "\"gate\"", "the gate wait", DurableTestHost.CompletionTimeout);

        await host.Client.RaiseEventAsync(id, "Item", "early");
        await host.Client.RaiseEventAsync(id, "Go", "now");
        OrchestrationMetadata result = await host.WaitAsync(id);

        Assert.Equal(["early"], result.ReadOutputAs<string[]>()!);
        var raised = HistoryAssert.OfType(await host.HistoryAsync(id), "EventRaised");
        Assert.Equal(["Item", "Go"], raised.Select(e => e.Name));
    }

    [Fact]
    public async Task Event_raised_while_the_orchestrator_waits_completes_the_wait()
    {
        await using var host = await DurableTestHost.StartAsync(r => r.AddOrchestrator<WaitForApproval>());
        string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(WaitForApproval), 60.0);
        await Eventually.TrueAsync(async () => (await host.HistoryAsync(id)).Any(e => e.EventType == "TimerCreated"), "the wait (its timeout timer) to be recorded", DurableTestHost.CompletionTimeout);

        await host.Client.RaiseEventAsync(id, "Approval", "yes");
        OrchestrationMetadata result = await host.WaitAsync(id);

        Assert.Equal("yes", result.ReadOutputAs<string>());
        var history = await host.HistoryAsync(id);
        Assert.Single(HistoryAssert.OfType(history, "EventRaised"));
        Assert.Empty(HistoryAssert.OfType(history, "TimerFired"));
    }

    [Fact]
    public async Task Wait_timeout_surfaces_as_TaskCanceledException()
    {
        await using var host = await DurableTestHost.StartAsync(r => r.AddOrchestrator<WaitForApproval>());
        OrchestrationMetadata result = await host.RunAsync(nameof(WaitForApproval), 1.0);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal("timeout", result.ReadOutputAs<string>());
        var history = await host.HistoryAsync(result.InstanceId);
        Assert.Single(HistoryAssert.OfType(history, "TimerFired"));
        Assert.Empty(HistoryAssert.OfType(history, "EventRaised"));
    }

    [Fact]
    public async Task Event_names_are_case_insensitive()
    {
        await using var host = await DurableTestHost.StartAsync(r => r.AddOrchestrator<WaitForApproval>().AddOrchestrator<GateThenCollect>());
        string waiting = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(WaitForApproval), 60.0);
        await host.Client.RaiseEventAsync(waiting, "aPPROVAL", "yes");
        Assert.Equal("yes", (await host.WaitAsync(waiting)).ReadOutputAs<string>());

        // Buffered events match case-insensitively too.
        string gated = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(GateThenCollect), 1);
        await host.Client.RaiseEventAsync(gated, "ITEM", "buffered");
        await host.Client.RaiseEventAsync(gated, "go");
        Assert.Equal(["buffered"], (await host.WaitAsync(gated)).ReadOutputAs<string[]>()!);
    }

    [Fact]
    public async Task Events_with_the_same_name_are_delivered_in_the_order_they_were_raised()
    {
        await using var host = await DurableTestHost.StartAsync(r => r.AddOrchestrator<GateThenCollect>());
        string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(GateThenCollect), 4);

        // Two before the orchestrator waits (buffered), two while it waits.
        await host.Client.RaiseEventAsync(id, "Item", "1");
        await host.Client.RaiseEventAsync(id, "Item", "2");
        await host.Client.RaiseEventAsync(id, "Go");
        await Eventually.TrueAsync(async () => (await host.Client.GetInstanceAsync(id))?.SerializedCustomStatus == "\"collecting\"", "the item waits", DurableTestHost.CompletionTimeout);
        await host.Client.RaiseEventAsync(id, "Item", "3");
        await host.Client.RaiseEventAsync(id, "Item", "4");

        OrchestrationMetadata result = await host.WaitAsync(id);
        Assert.Equal(["1", "2", "3", "4"], result.ReadOutputAs<string[]>()!);
    }
}
