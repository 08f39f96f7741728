using Azure.Storage.Queues.Models;
using Microsoft.Extensions.DependencyInjection;

namespace Workflow.Durable.Tests;

/// <summary>The second driver: what Azure Functions queue triggers do, one message at a time through the worker's entry points.</summary>
public sealed class TriggerDriverTests
{
    [Fact]
    public async Task Functions_trigger_entry_points_alone_drive_an_orchestration_to_completion()
    {
        // No listeners and no inline steps: only the "trigger" below moves the instance.
        await using var host = await DurableTestHost.StartAsync(
            r => r.AddOrchestrator<FanOutThenChain>().AddActivity<AddOne>().AddActivity<Square>(),
            o =>
            {
                o.UseQueueListeners = false;
                o.EnableInlineExecution = false;
            });
        DurableTaskWorker worker = host.Services.GetRequiredService<DurableTaskWorker>();
        Assert.Equal(host.Hub.Control.Name, worker.ControlQueueName);
        Assert.Equal(host.Hub.WorkItems.Name, worker.WorkItemQueueName);
        string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(FanOutThenChain), 3);

        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        int handled = 0;
        for (int round = 0; round < 500 && !((await host.Client.GetInstanceAsync(id))?.IsCompleted ?? false); round++)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The instance did not complete within 30 s ({handled} messages handled).");
            QueueMessage[] control = (await host.Hub.Control.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30))).Value;
            foreach (QueueMessage message in control)
            {
                await worker.ProcessControlQueueMessageAsync(message.MessageText, CancellationToken.None);
                await host.Hub.Control.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }

            QueueMessage[] workItems = (await host.Hub.WorkItems.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30))).Value;
            foreach (QueueMessage message in workItems)
            {
                await worker.ProcessWorkItemQueueMessageAsync(message.MessageText, message.DequeueCount, CancellationToken.None);
                await host.Hub.WorkItems.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }

            handled += control.Length + workItems.Length;
            if (control.Length + workItems.Length == 0)
            {
                // Nothing visible yet: poll again shortly (bounded by the round count and the deadline).
                await Task.Delay(50);
            }
        }

        OrchestrationMetadata result = await host.WaitAsync(id);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal(0 + 1 + 4 + 1, result.ReadOutputAs<int>());
        HistoryAssert.IsConsistentAndComplete(await host.HistoryAsync(id));
    }

    [Fact]
    public async Task Functions_trigger_entry_points_reject_a_foreign_message_with_FormatException()
    {
        await using var host = await DurableTestHost.StartAsync(r => r.AddOrchestrator<Chain>(), o => o.UseQueueListeners = false);
        DurableTaskWorker worker = host.Services.GetRequiredService<DurableTaskWorker>();

        // FormatException, as documented, whatever the reason: the host poisons such messages.
        await Assert.ThrowsAsync<FormatException>(() => worker.ProcessControlQueueMessageAsync("{ not json", CancellationToken.None));
        await Assert.ThrowsAsync<FormatException>(() => worker.ProcessControlQueueMessageAsync("{\"kind\":\"Start\"}", CancellationToken.None));
        await Assert.ThrowsAsync<FormatException>(() => worker.ProcessControlQueueMessageAsync("null", CancellationToken.None));
        await Assert.ThrowsAsync<FormatException>(() => worker.ProcessWorkItemQueueMessageAsync("[1, 2]", 1, CancellationToken.None));
        await Assert.ThrowsAsync<FormatException>(() => worker.ProcessWorkItemQueueMessageAsync("null", 1, CancellationToken.None));
    }
}

/// <summary>Squares 0..input-1 in parallel, then adds one to the sum.</summary>
internal sealed class FanOutThenChain : TaskOrchestrator<int, int>
{
    public override async Task<int> RunAsync(TaskOrchestrationContext context, int input)
    {
        int[] squares = await Task.WhenAll(Enumerable.Range(0, input).Select(i => context.CallActivityAsync<int>(nameof(Square), i)));
        return await context.CallActivityAsync<int>(nameof(AddOne), squares.Sum());
    }
}
