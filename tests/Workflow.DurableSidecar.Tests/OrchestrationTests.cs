using DurableTask.Core.Exceptions;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Workflow.DurableSidecar.Tests;

/// <summary>The Microsoft.DurableTask programming model through the sidecar, on the DTFx Azure Storage engine on Azurite.</summary>
public sealed class OrchestrationTests
{
    [Fact]
    public async Task An_orchestration_with_an_activity_completes_through_the_sidecar()
    {
        await using SidecarEnvironment env = await SidecarEnvironment.StartAsync(SidecarEnvironment.NewHubName());

        string id = await env.Client.ScheduleNewOrchestrationInstanceAsync(TestTasks.Greet, "Ada");
        OrchestrationMetadata done = await env.WaitForFinishAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal("Hello, Ada!", done.ReadOutputAs<string>());
        Assert.Equal("Ada", done.ReadInputAs<string>());
    }

    [Fact]
    public async Task A_durable_timer_fires_and_an_event_wait_with_a_timeout_times_out()
    {
        await using SidecarEnvironment env = await SidecarEnvironment.StartAsync(SidecarEnvironment.NewHubName());

        string id = await env.Client.ScheduleNewOrchestrationInstanceAsync(TestTasks.TimerThenTimeout);
        OrchestrationMetadata done = await env.WaitForFinishAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal("timer-fired,event-timed-out", done.ReadOutputAs<string>());
    }

    [Fact]
    public async Task An_instance_waiting_for_an_event_survives_a_stop_of_sidecar_and_worker_and_completes_after_a_restart()
    {
        string hub = SidecarEnvironment.NewHubName();
        string id = "approval-" + Guid.NewGuid().ToString("N");

        await using (SidecarEnvironment first = await SidecarEnvironment.StartAsync(hub))
        {
            await first.Client.ScheduleNewOrchestrationInstanceAsync(TestTasks.AwaitApproval, new StartOrchestrationOptions(id));
            await first.WaitForAsync(
                id,
                m => m.RuntimeStatus == OrchestrationRuntimeStatus.Running && m.ReadCustomStatusAs<string>() == TestTasks.Waiting,
                "to wait for its event");

            await first.Server.StopAsync(CancellationToken.None);
            Assert.True(first.Server.Gate.StoppedBySidecar, "nothing was in flight, yet the stop had to be forced");
        }

        await using SidecarEnvironment second = await SidecarEnvironment.StartAsync(hub);
        OrchestrationMetadata? waiting = await second.Client.GetInstanceAsync(id, getInputsAndOutputs: true);
        Assert.NotNull(waiting);
        Assert.Equal(OrchestrationRuntimeStatus.Running, waiting.RuntimeStatus);

        await second.Client.RaiseEventAsync(id, TestTasks.ApprovalEvent, "yes");
        OrchestrationMetadata done = await second.WaitForFinishAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal("approved:yes", done.ReadOutputAs<string>());
    }

    [Fact]
    public async Task A_start_whose_dedupe_statuses_match_an_existing_instance_fails_with_OrchestrationAlreadyExistsException()
    {
        await using SidecarEnvironment env = await SidecarEnvironment.StartAsync(SidecarEnvironment.NewHubName());
        string id = "dedupe-" + Guid.NewGuid().ToString("N");
        StartOrchestrationOptions once = new StartOrchestrationOptions(id).WithDedupeStatuses(
            OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Suspended);

        await env.Client.ScheduleNewOrchestrationInstanceAsync(TestTasks.AwaitApproval, once);
        await env.WaitForAsync(id, m => m.RuntimeStatus == OrchestrationRuntimeStatus.Running, "to run");

        OrchestrationAlreadyExistsException refused = await Assert.ThrowsAsync<OrchestrationAlreadyExistsException>(
            () => env.Client.ScheduleNewOrchestrationInstanceAsync(TestTasks.AwaitApproval, once));
        Assert.Contains("Running", refused.Message, StringComparison.Ordinal);

        await env.Client.RaiseEventAsync(id, TestTasks.ApprovalEvent, "once");
        OrchestrationMetadata done = await env.WaitForFinishAsync(id);
        Assert.Equal("approved:once", done.ReadOutputAs<string>());
    }
}
