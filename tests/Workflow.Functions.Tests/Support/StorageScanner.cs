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
    StorageRequest,
    Log,
}

/// <summary>One piece of text to search for secrets: an entity, a queue message, a blob, a storage request, a log line.</summary>
internal sealed record ScannedText(ScanSource Source, string Where, string Text);

/// <summary>Everything a storage account held, as text, with counts that show whether the scan saw anything at all.</summary>
internal sealed record StorageScan(
    IReadOnlyList<ScannedText> Items,
    int Tables,
    int Entities,
    int Queues,
    int MessagesRead,
    int MessagesInvisible,
    int Containers,
    int Blobs);

/// <summary>
/// Reads back everything in a storage account through the Azure SDK, by enumeration rather than by the
/// names the app is known to use: every table with every entity and property, every queue with every
/// message it will hand out, every container with every blob. Queue messages are received (not peeked,
/// which shows only the first 32), so the scan must run once nothing else uses the account.
/// </summary>
internal static class StorageScanner
{
    private const int MaxMessagesPerReceive = 32;

    // Long enough that a message received once stays hidden for the rest of the scan and is not read twice.
    private static readonly TimeSpan HiddenWhileScanning = TimeSpan.FromMinutes(5);

    public static async Task<StorageScan> ScanAsync(string connectionString, CancellationToken cancellationToken)
    {
        var items = new List<ScannedText>();
        (int tables, int entities) = await ScanTablesAsync(new TableServiceClient(connectionString), items, cancellationToken);
        // The newest queue and blob API versions are not served by Azurite; 2025-01-05 is, like the runtime pins it.
        // No message decoding: the scan sees the text exactly as stored.
        (int queues, int read, int invisible) = await ScanQueuesAsync(
            new QueueServiceClient(connectionString, new QueueClientOptions(QueueClientOptions.ServiceVersion.V2025_01_05)), items, cancellationToken);
        (int containers, int blobs) = await ScanBlobsAsync(
            new BlobServiceClient(connectionString, new BlobClientOptions(BlobClientOptions.ServiceVersion.V2025_01_05)), items, cancellationToken);
        return new StorageScan(items, tables, entities, queues, read, invisible, containers, blobs);
    }

    private static async Task<(int Tables, int Entities)> ScanTablesAsync(TableServiceClient service, List<ScannedText> items, CancellationToken cancellationToken)
    {
        int tables = 0, entities = 0;
        await foreach (TableItem table in service.QueryAsync(cancellationToken: cancellationToken))
        {
            tables++;
            await foreach (TableEntity entity in service.GetTableClient(table.Name).QueryAsync<TableEntity>(cancellationToken: cancellationToken))
            {
                entities++;
                // Every property, keys and timestamp included.
                string text = string.Join('\n', entity.Select(p => $"{p.Key}={Render(p.Value)}"));
                items.Add(new ScannedText(ScanSource.Table, $"table {table.Name}, entity {entity.PartitionKey} / {entity.RowKey}", text));
            }
        }

        return (tables, entities);
    }

    private static async Task<(int Queues, int Read, int Invisible)> ScanQueuesAsync(QueueServiceClient service, List<ScannedText> items, CancellationToken cancellationToken)
    {
        int queues = 0, read = 0, invisible = 0;
        await foreach (QueueItem queue in service.GetQueuesAsync(cancellationToken: cancellationToken))
        {
            queues++;
            QueueClient client = service.GetQueueClient(queue.Name);
            // Counts every message, the invisible ones (delayed timers, messages a stopped worker had received) too.
            int stored = (await client.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
            int readHere = 0;
            // Each round hides up to 32 more messages until the queue answers none; bounded in case it keeps answering.
            for (int round = 0; round <= (stored / MaxMessagesPerReceive) + 1; round++)
            {
                QueueMessage[] batch = (await client.ReceiveMessagesAsync(MaxMessagesPerReceive, HiddenWhileScanning, cancellationToken)).Value;
                if (batch.Length == 0)
                {
                    break;
                }

                foreach (QueueMessage message in batch)
                {
                    items.Add(new ScannedText(ScanSource.Queue, $"queue {queue.Name}, message {message.MessageId}", message.Body.ToString()));
                }

                readHere += batch.Length;
            }

            read += readHere;
            invisible += Math.Max(0, stored - readHere);
        }

        return (queues, read, invisible);
    }

    private static async Task<(int Containers, int Blobs)> ScanBlobsAsync(BlobServiceClient service, List<ScannedText> items, CancellationToken cancellationToken)
    {
        int containers = 0, blobs = 0;
        await foreach (BlobContainerItem container in service.GetBlobContainersAsync(BlobContainerTraits.Metadata, cancellationToken: cancellationToken))
        {
            containers++;
            items.Add(new ScannedText(ScanSource.Blob, $"container {container.Name}", $"{container.Name}\n{Describe(container.Properties.Metadata)}"));
            BlobContainerClient client = service.GetBlobContainerClient(container.Name);
            await foreach (BlobItem blob in client.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, prefix: null, cancellationToken))
            {
                blobs++;
                BinaryData content = (await client.GetBlobClient(blob.Name).DownloadContentAsync(cancellationToken)).Value.Content;
                items.Add(new ScannedText(
                    ScanSource.Blob, $"blob {container.Name}/{blob.Name}", $"{blob.Name}\n{Describe(blob.Metadata)}\n{SecretSearch.AsText(content.ToArray())}"));
            }
        }

        return (containers, blobs);
    }

    private static string Describe(IDictionary<string, string>? metadata)
        => metadata is null ? string.Empty : string.Join('\n', metadata.Select(m => $"{m.Key}={m.Value}"));

    private static string Render(object? value) => value switch
    {
        null => string.Empty,
        byte[] bytes => SecretSearch.AsText(bytes),
        BinaryData data => SecretSearch.AsText(data.ToArray()),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
