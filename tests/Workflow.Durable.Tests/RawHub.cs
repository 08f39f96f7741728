using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Workflow.Durable.Execution;
using Workflow.Durable.Storage;

namespace Workflow.Durable.Tests;

/// <summary>
/// A task hub's storage through plain Azure SDK clients: what is really in the table, the queues
/// and the blob container, whatever the runtime believes.
/// </summary>
internal sealed class RawHub
{
    public RawHub(string connectionString, string hubName)
    {
        string lower = hubName.ToLowerInvariant();
        var queues = new QueueServiceClient(connectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var rawQueues = new QueueServiceClient(connectionString);
        Table = new TableServiceClient(connectionString).GetTableClient(hubName + "History");
        Control = queues.GetQueueClient(lower + "-control");
        WorkItems = queues.GetQueueClient(lower + "-workitems");
        Poison = queues.GetQueueClient(lower + "-poison");
        RawControl = rawQueues.GetQueueClient(lower + "-control");
        Payloads = new BlobServiceClient(connectionString).GetBlobContainerClient(lower + "-payloads");
    }

    public TableClient Table { get; }

    public QueueClient Control { get; }

    public QueueClient WorkItems { get; }

    public QueueClient Poison { get; }

    /// <summary>The control queue without the runtime's base64 message encoding, to put bytes the runtime never wrote.</summary>
    public QueueClient RawControl { get; }

    public BlobContainerClient Payloads { get; }

    /// <summary>Every row of an instance's partition: the instance row, history rows and outbox rows.</summary>
    public async Task<List<TableEntity>> PartitionAsync(string instanceId)
    {
        var rows = new List<TableEntity>();
        await foreach (TableEntity row in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {instanceId}")))
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>Every row of the hub's table.</summary>
    public async Task<List<TableEntity>> AllRowsAsync()
    {
        var rows = new List<TableEntity>();
        await foreach (TableEntity row in Table.QueryAsync<TableEntity>())
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>The history rows of an instance in key order, each with the events it holds as stored (payloads protected).</summary>
    public async Task<List<(int FirstSequence, IReadOnlyList<StoredHistoryEvent> Events)>> HistoryRowsAsync(string instanceId)
        => [.. (await PartitionAsync(instanceId))
            .Where(r => r.RowKey.StartsWith('h'))
            .OrderBy(r => r.RowKey, StringComparer.Ordinal)
            .Select(r => (HistoryRows.Sequence(r.RowKey), HistoryRows.Unpack(r.GetString(HistoryRows.EventsProperty))))];

    public async Task<List<TableEntity>> OutboxRowsAsync(string instanceId)
        => [.. (await PartitionAsync(instanceId)).Where(r => r.RowKey.StartsWith('o'))];

    public async Task<TableEntity> InstanceRowAsync(string instanceId)
        => (await PartitionAsync(instanceId)).Single(r => r.RowKey == "$instance");

    public async Task<List<string>> BlobNamesAsync(string? prefix = null)
    {
        var names = new List<string>();
        await foreach (BlobItem blob in Payloads.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, CancellationToken.None))
        {
            names.Add(blob.Name);
        }

        return names;
    }

    public async Task<string> BlobTextAsync(string name) => (await Payloads.GetBlobClient(name).DownloadContentAsync()).Value.Content.ToString();

    /// <summary>Puts a control message on the queue exactly as the runtime would, for duplicate-delivery tests.</summary>
    public Task SendControlAsync(ControlMessage message) => Control.SendMessageAsync(JsonSerializer.Serialize(message, StorageJson.Options));

    public Task SendWorkItemAsync(WorkItemMessage message) => WorkItems.SendMessageAsync(JsonSerializer.Serialize(message, StorageJson.Options));

    /// <summary>Messages in a queue, visible or not (the service's approximate count, exact on an idle Azurite).</summary>
    public static async Task<int> CountAsync(QueueClient queue) => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;

    /// <summary>The text of the messages visible in a queue right now, decoded as the given client decodes.</summary>
    public static async Task<List<string>> PeekAsync(QueueClient queue)
        => [.. (await queue.PeekMessagesAsync(32)).Value.Select(m => m.Body.ToString())];

    public static string Describe(TableEntity row)
    {
        var text = new StringBuilder(row.RowKey).Append(": ");
        foreach ((string key, object value) in row)
        {
            text.Append(key).Append('=').Append(value).Append("; ");
        }

        return text.ToString();
    }
}
