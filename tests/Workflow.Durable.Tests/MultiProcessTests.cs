using Azure.Data.Tables;
using Workflow.Durable.Storage;
using Workflow.Durable.TestWorker;
using Workflow.Testing;
using Xunit.Abstractions;

namespace Workflow.Durable.Tests;

/// <summary>Real worker processes (Workflow.Durable.TestWorker) sharing one task hub with the test's client.</summary>
public sealed class MultiProcessTests(ITestOutputHelper output)
{
    private static readonly TimeSpan WorkerVisibility = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Two_worker_processes_racing_over_one_hub_complete_every_instance_exactly_once()
    {
        const int Instances = 30;
        var input = new RaceInput(Steps: 3, FanOut: 8);
        AzuriteServer azurite = await AzuriteServer.Shared;
        await using var client = await StartClientAsync();
        var effects = new SideEffectTables(azurite.ConnectionString, client.HubName);
        await effects.Effects.CreateIfNotExistsAsync();
        await effects.Executions.CreateIfNotExistsAsync();

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using WorkerProcess first = await WorkerProcess.StartAsync("A", azurite.ConnectionString, client.HubName, WorkerVisibility);
        await using WorkerProcess second = await WorkerProcess.StartAsync("B", azurite.ConnectionString, client.HubName, WorkerVisibility);
        output.WriteLine($"workers ready after {clock.Elapsed}");

        var ids = new List<string>();
        for (int i = 0; i < Instances; i++)
        {
            ids.Add(await client.Client.ScheduleNewOrchestrationInstanceAsync("RaceChain", input, new StartOrchestrationOptions($"race-{i:D2}")));
        }

        OrchestrationMetadata[] results;
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120)))
        {
            try
            {
                results = await Task.WhenAll(ids.Select(id => client.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, deadline.Token)));
            }
            finally
            {
                output.WriteLine($"worker A:\n{first.Output}\nworker B:\n{second.Output}");
            }
        }

        output.WriteLine($"all instances finished after {clock.Elapsed}");
        Assert.False(first.HasExited, "Worker A died.");
        Assert.False(second.HasExited, "Worker B died.");
        int expected = Expected(input);
        var executions = new Dictionary<string, int>();
        var workers = new HashSet<int>();
        await foreach (TableEntity row in effects.Executions.QueryAsync<TableEntity>())
        {
            executions[row.PartitionKey] = executions.GetValueOrDefault(row.PartitionKey) + 1;
            workers.Add(row.GetInt32("Worker")!.Value);
        }

        // It really was two processes sharing the work.
        Assert.Equal(new[] { first.Id, second.Id }.Order(), workers.Order());

        foreach (OrchestrationMetadata result in results)
        {
            Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
            Assert.Equal(expected, result.ReadOutputAs<int>());

            var history = await client.HistoryAsync(result.InstanceId);
            HistoryAssert.IsConsistentAndComplete(history);
            Assert.Single(history, e => e.EventType == "ExecutionCompleted");
            Assert.Equal(input.Steps + input.FanOut, HistoryAssert.OfType(history, "TaskScheduled").Count);

            // Storage itself: history rows from event 0, each starting where the previous one ended, up to
            // the committed count, with nothing missing.
            int committed = (await client.Hub.InstanceRowAsync(result.InstanceId)).GetInt32("HistoryCount")!.Value;
            Assert.Equal(history.Count, committed);
            int next = 0;
            foreach ((int firstSequence, IReadOnlyList<StoredHistoryEvent> events) in (await client.Hub.HistoryRowsAsync(result.InstanceId)).Where(r => r.FirstSequence < committed))
            {
                Assert.Equal(next, firstSequence);
                next += events.Count;
            }

            Assert.Equal(committed, next);

            // Exactly one side effect per completed task, holding the result history recorded.
            var completed = HistoryAssert.OfType(history, "TaskCompleted").ToDictionary(e => e.TaskScheduledId, e => int.Parse(e.SerializedPayload!, System.Globalization.CultureInfo.InvariantCulture));
            var effectRows = new Dictionary<int, int>();
            await foreach (TableEntity row in effects.Effects.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {result.InstanceId}")))
            {
                effectRows[int.Parse(row.RowKey, System.Globalization.CultureInfo.InvariantCulture)] = row.GetInt32("Result")!.Value;
            }

            Assert.Equal(completed.OrderBy(p => p.Key), effectRows.OrderBy(p => p.Key));
            Assert.True(executions.GetValueOrDefault(result.InstanceId) >= completed.Count);
        }

        // Every outbox was dispatched and cleared. The other process may still be deleting the row of
        // one it dispatched just before the instance finished, hence the poll.
        await Eventually.TrueAsync(async () => !(await client.Hub.AllRowsAsync()).Any(r => r.RowKey.StartsWith('o')), "every outbox row to be cleared", DurableTestHost.CompletionTimeout);

        int totalExecutions = executions.Values.Sum();
        output.WriteLine($"{Instances} instances, {Instances * (input.Steps + input.FanOut)} tasks, {totalExecutions} activity executions (redeliveries: {totalExecutions - (Instances * (input.Steps + input.FanOut))}).");
    }

    [Fact]
    public async Task Worker_process_killed_between_commit_and_dispatch_loses_nothing()
    {
        var input = new RaceInput(Steps: 2, FanOut: 2);
        await using DurableTestHost client = await StartClientWithSideEffectsAsync();

        // The first worker dies (Environment.FailFast) right after committing the first step of "crash-*".
        string id = await RunUntilTheWorkerCrashesAsync(client, input, "WORKFLOW_TESTWORKER_CRASH_AFTER_COMMIT", id => "CRASHING after commit of " + id);

        // The step is committed, its work item never sent: only the outbox row knows about it.
        var history = await client.HistoryAsync(id);
        Assert.Single(HistoryAssert.OfType(history, "TaskScheduled"));
        Assert.Single(await client.Hub.OutboxRowsAsync(id));
        Assert.Equal(0, await RawHub.CountAsync(client.Hub.WorkItems));

        // A healthy worker picks the start message up again when its visibility lapses and finishes the job.
        (WorkerProcess healthy, OrchestrationMetadata result) = await FinishWithAHealthyWorkerAsync(client, id);
        await using (healthy)
        {
            Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
            Assert.Equal(Expected(input), result.ReadOutputAs<int>());
            history = await client.HistoryAsync(id);
            HistoryAssert.IsConsistentAndComplete(history);
            Assert.Equal(input.Steps + input.FanOut, HistoryAssert.OfType(history, "TaskScheduled").Count);
            Assert.Empty(await client.Hub.OutboxRowsAsync(id));

            // The healthy worker says how: it found the outbox the crash left (its console log is asynchronous).
            await Eventually.TrueAsync(() => Task.FromResult(healthy.Output.Contains($"Instance {id}: re-dispatching an outbox", StringComparison.Ordinal)), "the outbox recovery log", DurableTestHost.CompletionTimeout);
        }
    }

    [Fact]
    public async Task Worker_process_killed_while_running_an_activity_loses_nothing()
    {
        // The worker runs the activities its own steps schedule itself, from a work item it sent hidden:
        // when it dies mid-activity, that message must surface and another worker run the activity.
        var input = new RaceInput(Steps: 2, FanOut: 0);
        await using DurableTestHost client = await StartClientWithSideEffectsAsync();

        string id = await RunUntilTheWorkerCrashesAsync(client, input, RaceStep.CrashInActivityVariable, id => $"CRASHING in activity #0 of {id}");

        // The activity was scheduled and never completed; its work item waits in the queue.
        var history = await client.HistoryAsync(id);
        Assert.Single(HistoryAssert.OfType(history, "TaskScheduled"));
        Assert.Empty(HistoryAssert.OfType(history, "TaskCompleted"));
        Assert.Equal(1, await RawHub.CountAsync(client.Hub.WorkItems));

        (WorkerProcess healthy, OrchestrationMetadata result) = await FinishWithAHealthyWorkerAsync(client, id);
        await using (healthy)
        {
            Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
            Assert.Equal(Expected(input), result.ReadOutputAs<int>());
            history = await client.HistoryAsync(id);
            HistoryAssert.IsConsistentAndComplete(history);
            Assert.Equal(input.Steps, HistoryAssert.OfType(history, "TaskCompleted").Count);
            await Eventually.TrueAsync(async () => await RawHub.CountAsync(client.Hub.WorkItems) == 0, "the work items to be deleted", DurableTestHost.CompletionTimeout);
        }
    }

    private static async Task<DurableTestHost> StartClientWithSideEffectsAsync()
    {
        AzuriteServer azurite = await AzuriteServer.Shared;
        DurableTestHost client = await StartClientAsync();
        var effects = new SideEffectTables(azurite.ConnectionString, client.HubName);
        await effects.Effects.CreateIfNotExistsAsync();
        await effects.Executions.CreateIfNotExistsAsync();
        return client;
    }

    /// <summary>Starts a "crash-*" instance on a worker told by <paramref name="crashVariable"/> to die, and waits until it has.</summary>
    private async Task<string> RunUntilTheWorkerCrashesAsync(DurableTestHost client, RaceInput input, string crashVariable, Func<string, string> crashLine)
    {
        AzuriteServer azurite = await AzuriteServer.Shared;
        await using WorkerProcess crashing = await WorkerProcess.StartAsync(
            "crashing", azurite.ConnectionString, client.HubName, WorkerVisibility, new Dictionary<string, string> { [crashVariable] = "crash-" });
        string id = await client.Client.ScheduleNewOrchestrationInstanceAsync("RaceChain", input, new StartOrchestrationOptions("crash-" + Guid.NewGuid().ToString("N")));
        await crashing.WaitForExitAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"crashing worker (exit {crashing.ExitCode}):\n{crashing.Output}");
        Assert.Contains(crashLine(id), crashing.Output, StringComparison.Ordinal);
        Assert.NotEqual(0, crashing.ExitCode);
        return id;
    }

    /// <summary>Starts a healthy worker and waits for the instance; the caller disposes the worker.</summary>
    private async Task<(WorkerProcess Healthy, OrchestrationMetadata Result)> FinishWithAHealthyWorkerAsync(DurableTestHost client, string id)
    {
        AzuriteServer azurite = await AzuriteServer.Shared;
        WorkerProcess healthy = await WorkerProcess.StartAsync("healthy", azurite.ConnectionString, client.HubName, WorkerVisibility);
        try
        {
            return (healthy, await client.WaitAsync(id));
        }
        catch
        {
            await healthy.DisposeAsync();
            throw;
        }
        finally
        {
            output.WriteLine($"healthy worker:\n{healthy.Output}");
        }
    }

    /// <summary>The test's own host only schedules and reads: no listeners, no inline steps, so the worker processes do all the work.</summary>
    private static Task<DurableTestHost> StartClientAsync()
        => DurableTestHost.StartAsync(
            r => r.AddOrchestrator<RemoteOnly>("RaceChain"),
            o =>
            {
                o.EnableInlineExecution = false;
                o.UseQueueListeners = false;
            });

    private static int Expected(RaceInput input)
    {
        int value = 0;
        for (int i = 0; i < input.Steps; i++)
        {
            value += i + 1;
        }

        return value + Enumerable.Range(0, input.FanOut).Sum(j => value + 100 + j);
    }
}
