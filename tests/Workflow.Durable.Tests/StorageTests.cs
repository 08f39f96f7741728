using Azure;
using Microsoft.Extensions.DependencyInjection;
using Workflow.Durable.Execution;
using Workflow.Durable.Storage;
using Workflow.Testing;

namespace Workflow.Durable.Tests;

/// <summary>The storage layer's commit rule, driven directly so the interleaving is exact.</summary>
public sealed class StorageTests
{
    // Events this large fill a history row each, so many of them need several transactions.
    private const int RowFillingPayloadChars = 20_000;

    [Theory]
    [InlineData(2)]
    [InlineData(150)]
    [InlineData(250)]
    public async Task A_step_that_lost_the_race_writes_nothing_over_the_winners_history(int loserEvents)
    {
        await using var host = await DurableTestHost.StartAsync(r => r.AddOrchestrator<WaitForApproval>());
        string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(WaitForApproval), 600.0);
        await Eventually.TrueAsync(async () => (await host.Client.GetInstanceAsync(id))?.RuntimeStatus == OrchestrationRuntimeStatus.Running, "the instance to run", DurableTestHost.CompletionTimeout);
        var storage = host.Services.GetRequiredService<TaskHubStorage>();

        // Two writers read the same state; the small step commits first.
        InstanceState winnerBase = (await storage.LoadAsync(id, CancellationToken.None))!;
        InstanceState loserBase = (await storage.LoadAsync(id, CancellationToken.None))!;
        int committed = winnerBase.History.Count;
        ETag? won = await CommitEventsAsync(storage, winnerBase, Events("winner", 2));
        Assert.NotNull(won);

        // The other one, however large (several transactions' worth), must fail without a trace in history.
        Assert.Null(await CommitEventsAsync(storage, loserBase, Events("loser", loserEvents, RowFillingPayloadChars)));

        InstanceState after = (await storage.LoadAsync(id, CancellationToken.None))!;
        Assert.Equal(committed + 2, after.History.Count);
        Assert.Equal(won, after.ETag);
        Assert.Equal(winnerBase.History.Select(e => e.Type), after.History.Take(committed).Select(e => e.Type));
        Assert.Equal(["winner", "winner"], after.History.Skip(committed).Select(e => e.Name));

        // And the instance still works: the next step commits on top of the winner's history.
        await host.Client.RaiseEventAsync(id, "Approval", "ok");
        Assert.Equal("ok", (await host.WaitAsync(id)).ReadOutputAs<string>());
        HistoryAssert.IsConsistentAndComplete(await host.HistoryAsync(id));
    }

    [Fact]
    public async Task A_step_larger_than_one_transaction_commits_all_its_rows()
    {
        await using var host = await DurableTestHost.StartAsync(r => r.AddOrchestrator<WaitForApproval>());
        string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(WaitForApproval), 600.0);
        await Eventually.TrueAsync(async () => (await host.Client.GetInstanceAsync(id))?.RuntimeStatus == OrchestrationRuntimeStatus.Running, "the instance to run", DurableTestHost.CompletionTimeout);
        var storage = host.Services.GetRequiredService<TaskHubStorage>();

        InstanceState state = (await storage.LoadAsync(id, CancellationToken.None))!;
        int committed = state.History.Count;
        Assert.NotNull(await CommitEventsAsync(storage, state, Events("bulk", 250, RowFillingPayloadChars)));

        InstanceState after = (await storage.LoadAsync(id, CancellationToken.None))!;
        Assert.Equal(committed + 250, after.History.Count);
        Assert.All(after.History.Skip(committed), e => Assert.Equal("bulk", e.Name));
        Assert.True((await host.Hub.HistoryRowsAsync(id)).Count > 200, "The events did not need several transactions' worth of rows.");
    }

    [Fact]
    public async Task Rows_left_by_a_step_that_lost_its_race_are_skipped_once_committed_history_covers_them()
    {
        // A step too large for one transaction writes rows ahead of its commit; when it then loses, they stay
        // behind at positions the winners fill later, inside rows that start earlier.
        await using var host = await DurableTestHost.StartAsync(r => r.AddOrchestrator<WaitForApproval>());
        string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(WaitForApproval), 600.0);
        await Eventually.TrueAsync(async () => (await host.Client.GetInstanceAsync(id))?.RuntimeStatus == OrchestrationRuntimeStatus.Running, "the instance to run", DurableTestHost.CompletionTimeout);
        int committed = (await host.Hub.InstanceRowAsync(id)).GetInt32("HistoryCount")!.Value;
        var leftover = new StoredHistoryEvent { Type = HistoryEventType.EventRaised, Timestamp = DateTimeOffset.UtcNow, Name = "leftover", MessageId = "leftover" };
        string json = HistoryRows.Pack(committed + 1, [leftover]).Single().Json;
        await host.Hub.Table.UpsertEntityAsync(new Azure.Data.Tables.TableEntity(id, HistoryRows.RowKey(committed + 1)) { [HistoryRows.EventsProperty] = json });

        // The next step writes its events (more than one) in one row that starts at the committed count.
        await host.Client.RaiseEventAsync(id, "Approval", "ok");
        OrchestrationMetadata result = await host.WaitAsync(id);

        Assert.Equal("ok", result.ReadOutputAs<string>());
        var history = await host.HistoryAsync(id);
        HistoryAssert.IsConsistentAndComplete(history);
        Assert.DoesNotContain(history, e => e.Name == "leftover");
        Assert.Contains(await host.Hub.HistoryRowsAsync(id), r => r.FirstSequence == committed + 1 && r.Events.Single().Name == "leftover");
    }

    private static List<HistoryEvent> Events(string name, int count, int payloadChars = 1)
        => [.. Enumerable.Range(0, count).Select(i => new HistoryEvent
        {
            Type = HistoryEventType.EventRaised,
            Timestamp = DateTimeOffset.UtcNow,
            Name = name,
            MessageId = $"{name}-{i}",
            Payload = $"\"{new string('x', payloadChars)}\"",
        })];

    /// <summary>Commits <paramref name="events"/> on top of <paramref name="state"/> as a step would.</summary>
    private static Task<ETag?> CommitEventsAsync(TaskHubStorage storage, InstanceState state, List<HistoryEvent> events)
    {
        var next = new InstanceState
        {
            InstanceId = state.InstanceId,
            Name = state.Name,
            ExecutionId = state.ExecutionId,
            Status = state.Status,
            CreatedAt = state.CreatedAt,
            LastUpdatedAt = DateTimeOffset.UtcNow,
            Input = state.Input,
            StoredInput = state.StoredInput,
            CustomStatus = state.CustomStatus,
            StoredCustomStatus = state.StoredCustomStatus,
            StoredCustomStatusClear = state.StoredCustomStatusClear,
            History = [.. state.History, .. events],
        };
        return storage.TryCommitAsync(next, state.ETag, state.History.Count, events, outbox: null, CancellationToken.None);
    }
}
