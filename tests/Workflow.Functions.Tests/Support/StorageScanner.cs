using System.Globalization;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace Workflow.Functions.Tests.Support;

/// <summary>Where a scanned text came from.</summary>
internal enum ScanSource
{
    Table,
    Queue,
    Blob,
    StorageTraffic,
    HostOutput,
    HostFile,
    ApiResponse,
}

/// <summary>One piece of text to search for secrets: an entity, a queue message, a blob, a storage request, a log line.</summary>
internal sealed record ScannedText(ScanSource Source, string Where, string Text)
{
    /// <summary>Without the text, which can be tens of kilobytes.</summary>
    public override string ToString() => $"{Source} {Where}";
}

/// <summary>What one queue held at the end of a scan.</summary>
internal sealed record QueueScan(string Name, int Read, int StillInvisible);

/// <summary>Everything a storage account held, as text, with counts that show whether the scan saw anything at all.</summary>
internal sealed record StorageScan(
    IReadOnlyList<ScannedText> Items,
    IReadOnlyList<string> Tables,
    int Entities,
    IReadOnlyList<QueueScan> Queues,
    IReadOnlyList<string> Containers,
    IReadOnlyList<string> Blobs)
{
    public int MessagesRead => Queues.Sum(q => q.Read);

    public int MessagesStillInvisible => Queues.Sum(q => q.StillInvisible);
}

/// <summary>
/// Reads back everything in a storage account through the Azure SDK, by enumeration rather than by the names the app is
/// known to use: every table with every entity and property, every queue with every message it hands out, every container
/// with every blob (and its metadata; gzip content, as DTFx writes large messages, also decompressed). Queue messages are
/// received (not peeked, which shows only the first 32) and so hidden for a while: run it once nothing else uses the
/// account. Messages that are invisible (durable timers not yet due) are waited for until a given time.
/// </summary>
internal static class StorageScanner
{
    private const int MaxMessagesPerReceive = 32;
    private const int MaxQueueRounds = 10_000;

    // Long enough that a message received once stays hidden for the rest of the scan and is not read twice.
    private static readonly TimeSpan HiddenWhileScanning = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan QueuePollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>Scans the whole account.</summary>
    /// <param name="connectionString">The account (directly, not through a tap: the scan's own traffic is no evidence).</param>
    /// <param name="waitForInvisibleUntil">Until when to keep receiving while a queue still holds invisible messages.</param>
    /// <param name="cancellationToken">Cancels the scan.</param>
    public static async Task<StorageScan> ScanAsync(string connectionString, DateTimeOffset waitForInvisibleUntil, CancellationToken cancellationToken)
    {
        var items = new List<ScannedText>();
        (List<string> tables, int entities) = await ScanTablesAsync(new TableServiceClient(connectionString), items, cancellationToken).ConfigureAwait(false);

        // The newest queue and blob API versions are not served by Azurite; 2025-01-05 is. No message decoding: the scan
        // sees the text exactly as stored.
        List<QueueScan> queues = await ScanQueuesAsync(
            new QueueServiceClient(connectionString, new QueueClientOptions(QueueClientOptions.ServiceVersion.V2025_01_05)), items, waitForInvisibleUntil, cancellationToken).ConfigureAwait(false);
        (List<string> containers, List<string> blobs) = await ScanBlobsAsync(
            new BlobServiceClient(connectionString, new BlobClientOptions(BlobClientOptions.ServiceVersion.V2025_01_05)), items, cancellationToken).ConfigureAwait(false);
        return new StorageScan(items, tables, entities, queues, containers, blobs);
    }

    private static async Task<(List<string> Tables, int Entities)> ScanTablesAsync(TableServiceClient service, List<ScannedText> items, CancellationToken cancellationToken)
    {
        var tables = new List<string>();
        int entities = 0;
        await foreach (TableItem table in service.QueryAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            tables.Add(table.Name);
            await foreach (TableEntity entity in service.GetTableClient(table.Name).QueryAsync<TableEntity>(cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                entities++;

                // Every property, keys and timestamp included.
                string text = string.Join('\n', entity.Select(p => $"{p.Key}={Render(p.Value)}"));
                items.Add(new ScannedText(ScanSource.Table, $"table {table.Name}, entity {entity.PartitionKey} / {entity.RowKey}", text));
            }
        }

        return (tables, entities);
    }

    private static async Task<List<QueueScan>> ScanQueuesAsync(
        QueueServiceClient service, List<ScannedText> items, DateTimeOffset waitForInvisibleUntil, CancellationToken cancellationToken)
    {
        var clients = new List<QueueClient>();
        await foreach (QueueItem queue in service.GetQueuesAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            clients.Add(service.GetQueueClient(queue.Name));
        }

        var read = clients.ToDictionary(c => c.Name, _ => 0);
        var stillInvisible = clients.ToDictionary(c => c.Name, _ => 0);
        for (int round = 0; round < MaxQueueRounds; round++)
        {
            foreach (QueueClient client in clients)
            {
                // Each receive hides up to 32 more messages, until the queue hands out none.
                for (int batchNumber = 0; batchNumber < MaxQueueRounds; batchNumber++)
                {
                    QueueMessage[] batch = (await client.ReceiveMessagesAsync(MaxMessagesPerReceive, HiddenWhileScanning, cancellationToken).ConfigureAwait(false)).Value;
                    if (batch.Length == 0)
                    {
                        break;
                    }

                    foreach (QueueMessage message in batch)
                    {
                        items.Add(new ScannedText(
                            ScanSource.Queue,
                            $"queue {client.Name}, message {message.MessageId} (inserted {message.InsertedOn:O}, dequeued {message.DequeueCount.ToString(CultureInfo.InvariantCulture)} times)",
                            message.Body.ToString()));
                    }

                    read[client.Name] += batch.Length;
                }

                // Counts every message, the invisible ones (timers not yet due, messages a stopped host had received) too.
                int stored = (await client.GetPropertiesAsync(cancellationToken).ConfigureAwait(false)).Value.ApproximateMessagesCount;
                stillInvisible[client.Name] = Math.Max(0, stored - read[client.Name]);
            }

            if (stillInvisible.Values.All(n => n == 0) || DateTimeOffset.UtcNow > waitForInvisibleUntil)
            {
                break;
            }

            await Task.Delay(QueuePollInterval, cancellationToken).ConfigureAwait(false);
        }

        return [.. clients.Select(c => new QueueScan(c.Name, read[c.Name], stillInvisible[c.Name]))];
    }

    private static async Task<(List<string> Containers, List<string> Blobs)> ScanBlobsAsync(BlobServiceClient service, List<ScannedText> items, CancellationToken cancellationToken)
    {
        var containers = new List<string>();
        var blobs = new List<string>();
        await foreach (BlobContainerItem container in service.GetBlobContainersAsync(BlobContainerTraits.Metadata, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            containers.Add(container.Name);
            items.Add(new ScannedText(ScanSource.Blob, $"container {container.Name}", $"{container.Name}\n{Describe(container.Properties.Metadata)}"));
            BlobContainerClient client = service.GetBlobContainerClient(container.Name);
            await foreach (BlobItem blob in client.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, prefix: null, cancellationToken).ConfigureAwait(false))
            {
                blobs.Add($"{container.Name}/{blob.Name}");
                byte[] content = (await client.GetBlobClient(blob.Name).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content.ToArray();
                string where = $"blob {container.Name}/{blob.Name}";
                items.Add(new ScannedText(ScanSource.Blob, where, $"{blob.Name}\n{Describe(blob.Metadata)}\n{SecretSearch.AsText(content)}"));
                if (SecretSearch.Gunzip(content) is { } decompressed)
                {
                    items.Add(new ScannedText(ScanSource.Blob, where + " (gunzipped)", SecretSearch.AsText(decompressed)));
                }
            }
        }

        return (containers, blobs);
    }

    private static string Describe(IDictionary<string, string>? metadata)
        => metadata is null ? string.Empty : string.Join('\n', metadata.Select(m => $"{m.Key}={m.Value}"));

    private static string Render(object? value) => value switch
    {
        null => string.Empty,
        byte[] bytes => SecretSearch.AsText(bytes) + (SecretSearch.Gunzip(bytes) is { } content ? "\n" + SecretSearch.AsText(content) : string.Empty),
        BinaryData data => SecretSearch.AsText(data.ToArray()),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
