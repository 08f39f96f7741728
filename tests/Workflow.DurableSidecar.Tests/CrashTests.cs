using System.Diagnostics;
using System.Globalization;
using Microsoft.DurableTask.Client;
using Workflow.Testing;
using Xunit.Abstractions;

namespace Workflow.DurableSidecar.Tests;

/// <summary>
/// kill -9 of a process in the middle of a work item, then a restart on the same task hub: the work resumes once the
/// dead process's queue message becomes visible again (the visibility timeout, counted from its dequeue) and the
/// partition is owned again (at once under the same worker id; once the lease has expired under another). The
/// deadline is the product's: 60 s after the kill.
/// </summary>
internal static class CrashScenario
{
    /// <summary>The product's requirement: in-flight work resumes within a minute of a crash.</summary>
    public static readonly TimeSpan ResumeDeadline = TimeSpan.FromSeconds(60);

    private const string DeadWorker = "crash-test-worker";

    // SIDECAR_CRASH_VISIBILITY_SECONDS lets a manual run measure other visibility timeouts (e.g. 45 or 60).
    private static TimeSpan Visibility =>
        TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("SIDECAR_CRASH_VISIBILITY_SECONDS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int s) ? s : 15);

    // stuckInOrchestrator: crash inside an orchestrator episode (control queue) rather than an activity (work-item queue).
    public static async Task RunAsync(bool stuckInOrchestrator, bool restartWithSameWorkerId, ITestOutputHelper output)
    {
        AzuriteServer azurite = await AzuriteServer.Shared;
        string hub = SidecarEnvironment.NewHubName();
        string id = "crash-" + Guid.NewGuid().ToString("N");
        TimeSpan visibility = Visibility;
        DurableTaskEngineSettings engine = CrashHost.Engine(visibility);
        string orchestrator = stuckInOrchestrator ? TestTasks.HangsInCrashHost : TestTasks.Blocking;

        var sinceKill = new Stopwatch();
        await using (CrashHost child = await CrashHost.StartAsync(azurite.ConnectionString, hub, visibility, DeadWorker, orchestrator, id))
        {
            await child.KillAsync();
            sinceKill.Start();
        }

        await using SidecarEnvironment restarted = await SidecarEnvironment.StartAsync(
            hub, engine, workerId: restartWithSameWorkerId ? DeadWorker : "crash-test-other-worker");
        TimeSpan started = sinceKill.Elapsed;

        OrchestrationMetadata done = await restarted.WaitForFinishAsync(id, ResumeDeadline - started);
        TimeSpan resumed = sinceKill.Elapsed;

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(stuckInOrchestrator ? "ran:crash" : "done:crash", done.ReadOutputAs<string>());
        output.WriteLine(
            $"killed in {(stuckInOrchestrator ? "an orchestrator episode" : "an activity")}; visibility timeouts {visibility.TotalSeconds} s, " +
            $"{(engine.UseTablePartitionManagement ? "table" : "blob")} leases of {engine.LeaseInterval.TotalSeconds} s, " +
            $"{(restartWithSameWorkerId ? "same" : "another")} worker id: restarted {started.TotalSeconds:F1} s after the kill, completed {resumed.TotalSeconds:F1} s after it.");
    }
}

public sealed class CrashInActivityWithSameWorkerIdTests(ITestOutputHelper output)
{
    [Fact]
    public Task After_kill_9_in_an_activity_a_restart_with_the_same_worker_id_resumes_within_a_minute() =>
        CrashScenario.RunAsync(stuckInOrchestrator: false, restartWithSameWorkerId: true, output);
}

public sealed class CrashInActivityWithAnotherWorkerIdTests(ITestOutputHelper output)
{
    [Fact]
    public Task After_kill_9_in_an_activity_a_process_with_another_worker_id_resumes_within_a_minute() =>
        CrashScenario.RunAsync(stuckInOrchestrator: false, restartWithSameWorkerId: false, output);
}

public sealed class CrashInOrchestratorWithSameWorkerIdTests(ITestOutputHelper output)
{
    [Fact]
    public Task After_kill_9_in_an_orchestrator_episode_a_restart_with_the_same_worker_id_resumes_within_a_minute() =>
        CrashScenario.RunAsync(stuckInOrchestrator: true, restartWithSameWorkerId: true, output);
}
