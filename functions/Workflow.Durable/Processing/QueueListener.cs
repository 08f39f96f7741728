using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;

namespace Workflow.Durable.Processing;

/// <summary>
/// Polls one queue and hands batches of messages to a handler, at most <c>concurrency</c>
/// messages in flight. Backs off exponentially while the queue is empty, and polls at once when
/// this process signals that it sent something.
/// </summary>
internal sealed class QueueListener(
    QueueClient queue,
    QueueSignal signal,
    int concurrency,
    TimeSpan visibilityTimeout,
    TimeSpan maxPollingInterval,
    int maxDequeueCount,
    Func<IReadOnlyList<QueueMessage>, CancellationToken, Task> handleBatch,
    Func<QueueMessage, CancellationToken, Task> moveToPoison,
    ILogger logger)
{
    private static readonly TimeSpan MinPollingInterval = TimeSpan.FromMilliseconds(10);

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        using var slots = new SemaphoreSlim(concurrency, concurrency);
        var inFlight = new HashSet<Task>();
        TimeSpan delay = MinPollingInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await slots.WaitAsync(stoppingToken).ConfigureAwait(false);
                int free = 1;
                while (free < 32 && slots.Wait(0, CancellationToken.None))
                {
                    free++;
                }

                QueueMessage[] received;
                try
                {
                    received = (await queue.ReceiveMessagesAsync(free, visibilityTimeout, stoppingToken).ConfigureAwait(false)).Value;
                }
                catch
                {
                    // Slots taken for a receive that failed must come back, or the listener starves.
                    slots.Release(free);
                    throw;
                }

                // Release(0) throws: a full batch keeps every slot it took.
                if (received.Length < free)
                {
                    slots.Release(free - received.Length);
                }

                if (received.Length == 0)
                {
                    await signal.WaitAsync(delay, stoppingToken).ConfigureAwait(false);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, maxPollingInterval.Ticks));
                    continue;
                }

                delay = MinPollingInterval;
                var healthy = new List<QueueMessage>(received.Length);
                foreach (QueueMessage message in received)
                {
                    if (message.DequeueCount > maxDequeueCount)
                    {
                        DurableDiagnostics.MessagePoisoned(logger, message.MessageId, queue.Name, message.DequeueCount);
                        try
                        {
                            await moveToPoison(message, stoppingToken).ConfigureAwait(false);
                        }
                        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                        {
                            // The message comes back after its visibility timeout and is moved then; the
                            // rest of the batch must still be handled and every slot returned.
                            DurableDiagnostics.MessageFailed(logger, queue.Name, ex);
                        }
                        finally
                        {
                            slots.Release();
                        }
                    }
                    else
                    {
                        healthy.Add(message);
                    }
                }

                if (healthy.Count > 0)
                {
                    Task work = HandleAsync(healthy, slots, stoppingToken);
                    lock (inFlight)
                    {
                        inFlight.Add(work);
                    }

                    _ = work.ContinueWith(t => { lock (inFlight) { inFlight.Remove(t); } }, TaskScheduler.Default);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                DurableDiagnostics.MessageFailed(logger, queue.Name, ex);
                await Task.Delay(maxPollingInterval, CancellationToken.None).ConfigureAwait(false);
            }
        }

        Task[] remaining;
        lock (inFlight)
        {
            remaining = [.. inFlight];
        }

        await Task.WhenAll(remaining).ConfigureAwait(false);
    }

    private async Task HandleAsync(List<QueueMessage> messages, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        try
        {
            await handleBatch(messages, stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            DurableDiagnostics.MessageFailed(logger, queue.Name, ex);
        }
        catch (OperationCanceledException)
        {
            // Shutting down: the messages become visible again and another worker takes them.
        }
        finally
        {
            slots.Release(messages.Count);
        }
    }
}
