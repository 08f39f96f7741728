using Workflow.Testing;

namespace Workflow.Durable.Tests;

public sealed class ReplayTests
{
    [Fact]
    public async Task Changed_orchestrator_code_fails_the_instance_with_a_non_determinism_error_naming_both_calls()
    {
        string hub = DurableTestHost.NewHubName();
        string id = await StartVersionOneAndStopAsync(hub);

        // A new deployment maps the same name to code that calls something else first.
        await using var v2 = await DurableTestHost.StartAsync(r => r.AddOrchestrator<VersionTwo>("Versioned").AddActivity<Echo>().AddActivity<AddOne>(), hubName: hub);
        await v2.Client.RaiseEventAsync(id, "Continue", "go");
        OrchestrationMetadata result = await v2.WaitAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, result.RuntimeStatus);
        Assert.Equal(typeof(NonDeterministicOrchestrationException).FullName, result.FailureDetails?.ErrorType);
        Assert.True(result.FailureDetails!.ErrorMessage.Contains("expected CallActivityAsync('Echo') at sequence #0", StringComparison.Ordinal), result.FailureDetails.ErrorMessage);
        Assert.Contains("called CallActivityAsync('AddOne')", result.FailureDetails.ErrorMessage, StringComparison.Ordinal);
        var history = await v2.HistoryAsync(id);
        HistoryAssert.IsConsistent(history);
        Assert.Single(HistoryAssert.OfType(history, "TaskScheduled"));
        Assert.Equal(OrchestrationRuntimeStatus.Failed, history[^1].OrchestrationStatus);
    }

    [Fact]
    public async Task Orchestrator_that_no_longer_makes_a_recorded_call_fails_with_a_non_determinism_error()
    {
        string hub = DurableTestHost.NewHubName();
        string id = await StartVersionOneAndStopAsync(hub);

        await using var v3 = await DurableTestHost.StartAsync(r => r.AddOrchestrator<VersionThree>("Versioned").AddActivity<Echo>(), hubName: hub);
        await v3.Client.RaiseEventAsync(id, "Continue", "go");
        OrchestrationMetadata result = await v3.WaitAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, result.RuntimeStatus);
        Assert.Equal(typeof(NonDeterministicOrchestrationException).FullName, result.FailureDetails?.ErrorType);
        Assert.Contains("history has CallActivityAsync('Echo') at sequence #0", result.FailureDetails!.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("no longer schedules it", result.FailureDetails.ErrorMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10_000)]
    public async Task CurrentUtcDateTime_and_NewGuid_give_the_same_values_on_every_replay(int instanceCacheSize)
    {
        // With no cache every step replays from what storage returned, not from memory.
        await using var host = await DurableTestHost.StartAsync(
            r => r.AddOrchestrator<ReplayProbe>().AddActivity<EchoProbe>().AddActivity<Echo>(),
            o => o.InstanceCacheSize = instanceCacheSize);
        OrchestrationMetadata result = await host.RunAsync(nameof(ReplayProbe));

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        ReplayReport report = result.ReadOutputAs<ReplayReport>()!;
        Assert.False(report.FirstRun.Replaying);
        Assert.True(report.LastReplay.Replaying);
        Assert.Equal(report.FirstRun with { Replaying = true }, report.LastReplay);
        Assert.NotEqual(report.FirstRun.First, report.FirstRun.Second);
        Assert.NotEqual(Guid.Empty, report.FirstRun.First);

        // The orchestration clock is the step's recorded time: the first step's, then the second's.
        var steps = HistoryAssert.OfType(await host.HistoryAsync(result.InstanceId), "OrchestratorStarted");
        Assert.Equal(steps[0].Timestamp.UtcDateTime, report.FirstRun.Time);
        Assert.Equal(steps[1].Timestamp.UtcDateTime, report.SecondStepTime);
        Assert.True(report.SecondStepTime > report.FirstRun.Time);
    }

    [Fact]
    public async Task Custom_status_is_visible_while_running_and_follows_each_step()
    {
        await using var host = await DurableTestHost.StartAsync(r => r.AddOrchestrator<StatusSteps>());
        string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(StatusSteps));

        await Eventually.TrueAsync(() => HasStatusAsync(host, id, OrchestrationRuntimeStatus.Running, "step1"), "custom status step1 while running", DurableTestHost.CompletionTimeout);
        await host.Client.RaiseEventAsync(id, "Next");
        await Eventually.TrueAsync(() => HasStatusAsync(host, id, OrchestrationRuntimeStatus.Running, "step2"), "custom status step2 while running", DurableTestHost.CompletionTimeout);
        await host.Client.RaiseEventAsync(id, "Next");

        OrchestrationMetadata result = await host.WaitAsync(id);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal("step2", result.ReadCustomStatusAs<StageStatus>()?.Stage);
    }

    private static async Task<bool> HasStatusAsync(DurableTestHost host, string id, OrchestrationRuntimeStatus status, string stage)
        => await host.Client.GetInstanceAsync(id) is { } m && m.RuntimeStatus == status && m.ReadCustomStatusAs<StageStatus>()?.Stage == stage;

    /// <summary>Runs VersionOne until it waits for "Continue" (its activity done), then stops that host.</summary>
    private static async Task<string> StartVersionOneAndStopAsync(string hub)
    {
        await using var v1 = await DurableTestHost.StartAsync(r => r.AddOrchestrator<VersionOne>("Versioned").AddActivity<Echo>(), hubName: hub);
        string id = await v1.Client.ScheduleNewOrchestrationInstanceAsync("Versioned");
        await Eventually.TrueAsync(async () => (await v1.HistoryAsync(id)).Any(e => e.EventType == "TaskCompleted"), "VersionOne's activity to complete", DurableTestHost.CompletionTimeout);
        return id;
    }

    private sealed record StageStatus(string Stage);
}
