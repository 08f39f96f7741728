using Microsoft.Extensions.DependencyInjection;
using Workflow.Testing;

namespace Workflow.Durable.Tests;

public sealed class ManagementTests
{
    [Fact]
    public async Task Terminate_stops_a_running_instance_with_the_reason_as_output_and_later_calls_are_rejected()
    {
        await using var host = await DurableTestHost.StartAsync(r => r.AddOrchestrator<WaitForApproval>());
        string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(WaitForApproval), 600.0);
        await Eventually.TrueAsync(async () => (await host.Client.GetInstanceAsync(id))?.RuntimeStatus == OrchestrationRuntimeStatus.Running, "the instance to run", DurableTestHost.CompletionTimeout);

        await host.Client.TerminateInstanceAsync(id, "operator said stop");
        OrchestrationMetadata result = await host.WaitAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Terminated, result.RuntimeStatus);
        Assert.Equal("operator said stop", result.ReadOutputAs<string>());
        var history = await host.HistoryAsync(id);
        HistoryAssert.IsConsistent(history);
        Assert.Equal("ExecutionTerminated", history[^1].EventType);

        var raise = await Assert.ThrowsAsync<OrchestrationNotRunningException>(() => host.Client.RaiseEventAsync(id, "Approval", "too late"));
        Assert.Equal(OrchestrationRuntimeStatus.Terminated, raise.RuntimeStatus);
        await Assert.ThrowsAsync<OrchestrationNotRunningException>(() => host.Client.TerminateInstanceAsync(id, "again"));
        Assert.Equal(history.Count, (await host.HistoryAsync(id)).Count);
    }

    [Fact]
    public async Task Purge_deletes_the_instance_row_its_history_and_its_payload_blobs()
    {
        await using var host = await DurableTestHost.StartAsync(r => r.AddOrchestrator<BigPayloads>().AddActivity<Echo>());
        string big = new('p', 70_000);
        string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(BigPayloads), big);
        await host.Client.RaiseEventAsync(id, "Big", "small");
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await host.WaitAsync(id)).RuntimeStatus);
        Assert.NotEmpty(await host.Hub.BlobNamesAsync(id + "/"));
        Assert.Contains(await host.Hub.PartitionAsync(id), r => r.RowKey.StartsWith('h'));

        // Another instance's data must survive the purge.
        string other = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(BigPayloads), big, new StartOrchestrationOptions(id + "x"));

        PurgeResult purged = await host.Client.PurgeInstanceAsync(id);

        Assert.Equal(1, purged.PurgedInstanceCount);
        Assert.Empty(await host.Hub.PartitionAsync(id));
        Assert.Empty(await host.Hub.BlobNamesAsync(id + "/"));
        Assert.Null(await host.Client.GetInstanceAsync(id));
        Assert.Equal(0, (await host.Client.PurgeInstanceAsync(id)).PurgedInstanceCount);
        Assert.NotEmpty(await host.Hub.PartitionAsync(other));
        Assert.NotEmpty(await host.Hub.BlobNamesAsync(other + "/"));
    }

    [Fact]
    public async Task Purge_of_a_running_instance_is_refused_and_deletes_nothing()
    {
        await using var host = await DurableTestHost.StartAsync(r => r.AddOrchestrator<WaitForApproval>());
        string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(WaitForApproval), 600.0);
        await Eventually.TrueAsync(async () => (await host.Client.GetInstanceAsync(id))?.RuntimeStatus == OrchestrationRuntimeStatus.Running, "the instance to run", DurableTestHost.CompletionTimeout);
        int rows = (await host.Hub.PartitionAsync(id)).Count;

        await Assert.ThrowsAsync<InvalidOperationException>(() => host.Client.PurgeInstanceAsync(id));

        Assert.Equal(rows, (await host.Hub.PartitionAsync(id)).Count);
        Assert.Equal(OrchestrationRuntimeStatus.Running, (await host.Client.GetInstanceAsync(id))?.RuntimeStatus);
        await host.Client.RaiseEventAsync(id, "Approval", "still works");
        Assert.Equal("still works", (await host.WaitAsync(id)).ReadOutputAs<string>());
        Assert.Equal(1, (await host.Client.PurgeInstanceAsync(id)).PurgedInstanceCount);
    }

    [Fact]
    public async Task Calls_about_unknown_instances_or_orchestrators_are_rejected_with_clear_exceptions()
    {
        await using var host = await DurableTestHost.StartAsync(r => r.AddOrchestrator<Chain>());
        string missing = "missing-" + Guid.NewGuid().ToString("N");

        Assert.Null(await host.Client.GetInstanceAsync(missing));
        Assert.Equal(missing, (await Assert.ThrowsAsync<OrchestrationNotFoundException>(() => host.Client.RaiseEventAsync(missing, "Any"))).InstanceId);
        await Assert.ThrowsAsync<OrchestrationNotFoundException>(() => host.Client.TerminateInstanceAsync(missing, "why"));
        await Assert.ThrowsAsync<OrchestrationNotFoundException>(() => host.Client.WaitForInstanceCompletionAsync(missing));
        Assert.Equal(0, (await host.Client.PurgeInstanceAsync(missing)).PurgedInstanceCount);
        await Assert.ThrowsAsync<ArgumentException>(() => host.Client.ScheduleNewOrchestrationInstanceAsync("NotRegistered"));
        await Assert.ThrowsAsync<ArgumentException>(() => host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(Chain), 1, new StartOrchestrationOptions("bad/id")));
    }

    [Fact]
    public async Task Instance_id_is_taken_until_purged_and_then_starts_a_fresh_execution()
    {
        await using var host = await DurableTestHost.StartAsync(r => r.AddOrchestrator<Chain>().AddActivity<AddOne>());
        string id = "reused-" + Guid.NewGuid().ToString("N");
        Assert.Equal(1, (await host.RunAsync(nameof(Chain), 1, id)).ReadOutputAs<int>());
        string firstExecution = (await host.Hub.InstanceRowAsync(id)).GetString("ExecutionId");

        await Assert.ThrowsAsync<OrchestrationAlreadyExistsException>(() => host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(Chain), 2, new StartOrchestrationOptions(id)));
        Assert.Equal(1, (await host.Client.PurgeInstanceAsync(id)).PurgedInstanceCount);

        OrchestrationMetadata second = await host.RunAsync(nameof(Chain), 2, id);
        Assert.Equal(2, second.ReadOutputAs<int>());
        Assert.NotEqual(firstExecution, (await host.Hub.InstanceRowAsync(id)).GetString("ExecutionId"));
        var history = await host.HistoryAsync(id);
        HistoryAssert.IsConsistentAndComplete(history);
        Assert.Equal(2, HistoryAssert.OfType(history, "TaskScheduled").Count);
    }

    [Fact]
    public async Task Query_filters_by_status_and_creation_time_and_walks_every_page_once()
    {
        // Instances created "now" complete; instances created "an hour later" keep running. The runtime's
        // TimeProvider is the only clock it reads, so shifting it gives exact, non-overlapping creation times.
        var clock = new ShiftableTimeProvider();
        await using var host = await DurableTestHost.StartAsync(
            r => r.AddOrchestrator<Chain>().AddActivity<AddOne>().AddOrchestrator<WaitForApproval>(),
            services: s => s.AddSingleton<TimeProvider>(clock));
        DateTimeOffset boundary = clock.GetUtcNow() + TimeSpan.FromMinutes(30);

        var completed = new HashSet<string>();
        for (int i = 0; i < 12; i++)
        {
            completed.Add(await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(Chain), 0));
        }

        clock.Offset = TimeSpan.FromHours(1);
        var running = new HashSet<string>();
        for (int i = 0; i < 11; i++)
        {
            running.Add(await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(WaitForApproval), 600.0));
        }

        foreach (string id in completed)
        {
            Assert.Equal(OrchestrationRuntimeStatus.Completed, (await host.WaitAsync(id)).RuntimeStatus);
        }

        await Eventually.TrueAsync(
            async () => (await QueryAllAsync(host, new OrchestrationQuery { Statuses = [OrchestrationRuntimeStatus.Running] })).Count == running.Count,
            "every waiting instance to be running", DurableTestHost.CompletionTimeout);

        Assert.Equal(completed.Union(running).Order(), (await QueryAllAsync(host, new OrchestrationQuery())).Order());
        Assert.Equal(completed.Order(), (await QueryAllAsync(host, new OrchestrationQuery { Statuses = [OrchestrationRuntimeStatus.Completed] })).Order());
        Assert.Equal(running.Order(), (await QueryAllAsync(host, new OrchestrationQuery { Statuses = [OrchestrationRuntimeStatus.Running] })).Order());
        Assert.Equal(completed.Union(running).Order(), (await QueryAllAsync(host, new OrchestrationQuery { Statuses = [OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Completed] })).Order());
        Assert.Empty(await QueryAllAsync(host, new OrchestrationQuery { Statuses = [OrchestrationRuntimeStatus.Failed] }));
        Assert.Equal(running.Order(), (await QueryAllAsync(host, new OrchestrationQuery { CreatedFrom = boundary })).Order());
        Assert.Equal(completed.Order(), (await QueryAllAsync(host, new OrchestrationQuery { CreatedTo = boundary })).Order());
        Assert.Empty(await QueryAllAsync(host, new OrchestrationQuery { CreatedTo = boundary, Statuses = [OrchestrationRuntimeStatus.Running] }));

        // Outputs come back on request only.
        OrchestrationQueryResult page = await host.Client.QueryInstancesAsync(new OrchestrationQuery { Statuses = [OrchestrationRuntimeStatus.Completed], FetchInputsAndOutputs = true, PageSize = 3 });
        Assert.Equal(3, page.Instances.Count);
        Assert.All(page.Instances, m => Assert.Equal("0", m.SerializedOutput));
        Assert.All((await host.Client.QueryInstancesAsync(new OrchestrationQuery { PageSize = 3 })).Instances, m => Assert.Null(m.SerializedOutput));
    }

    /// <summary>Walks every page of size 5 and checks that no instance appears twice.</summary>
    private static async Task<List<string>> QueryAllAsync(DurableTestHost host, OrchestrationQuery query)
    {
        var ids = new List<string>();
        string? token = null;
        int pages = 0;
        do
        {
            Assert.True(++pages <= 100, "The query did not end within 100 pages.");
            OrchestrationQueryResult page = await host.Client.QueryInstancesAsync(query with { PageSize = 5, ContinuationToken = token });
            Assert.True(page.Instances.Count <= 5, $"A page of size 5 had {page.Instances.Count} instances.");
            ids.AddRange(page.Instances.Select(i => i.InstanceId));
            token = page.ContinuationToken;
        }
        while (token is not null);

        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.True(ids.Count <= 5 || pages > 1);
        return ids;
    }

    /// <summary>The system clock plus an offset the test moves.</summary>
    private sealed class ShiftableTimeProvider : TimeProvider
    {
        public TimeSpan Offset { get; set; }

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
    }
}
