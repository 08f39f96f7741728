using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;
using Workflow.Durable.Execution;
using Workflow.Durable.Processing;

namespace Workflow.Durable.Storage;

/// <summary>
/// The one place that knows how a task hub is laid out in Azure Storage. Everything above it
/// speaks in instances, history events and messages.
/// </summary>
/// <remarks>
/// Layout: one table partition per instance holds the instance row (<c>$instance</c>, whose ETag
/// guards every step), the history rows (<c>h00000000</c>…, usually one per step, see
/// <see cref="HistoryRows"/>) and the outbox rows (<c>o…</c>). A step commits all three in one
/// entity-group transaction. History rows at or beyond the instance row's <c>HistoryCount</c> are
/// not part of history yet: that lets a step too large for one transaction pre-write its rows and
/// still become visible atomically.
/// </remarks>
internal sealed partial class TaskHubStorage
{
    private const string InstanceRowKey = "$instance";
    private const string BlobReferencePrefix = "@blob:";
    private const int MaxInlinePayloadBytes = 24_000;
    private const int MaxTransactionActions = 100;

    private readonly TableClient _table;
    private readonly BlobContainerClient _payloads;
    private readonly IPayloadProtector _protector;
    private readonly TimeProvider _time;
    private readonly ILogger? _logger;
    private Task? _creation;

    public TaskHubStorage(DurableTaskOptions options, IPayloadProtector protector, TimeProvider time, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Names = new StorageNames(options.HubName);
        _protector = protector;
        _time = time;
        _logger = logger;
        DurableTaskStorageOptions storage = options.Storage;

        // Azurite 3.37 rejects the newest queue API version; 2025-01-05 is served by both Azurite and Azure.
        var queueOptions = new QueueClientOptions(QueueClientOptions.ServiceVersion.V2025_01_05) { MessageEncoding = QueueMessageEncoding.Base64 };
        // Without a handler the SDK fails the whole receive on a message that is not base64, so one
        // foreign message would block its queue (and hide the rest of every batch) forever.
        queueOptions.MessageDecodingFailed += MoveUndecodableToPoisonAsync;
        var blobOptions = new BlobClientOptions(BlobClientOptions.ServiceVersion.V2025_01_05);
        storage.AddPoliciesTo(queueOptions);
        storage.AddPoliciesTo(blobOptions);
        bool connectionString = !string.IsNullOrWhiteSpace(storage.ConnectionString);
        QueueServiceClient queues = connectionString
            ? new QueueServiceClient(storage.ConnectionString, queueOptions)
            : new QueueServiceClient(storage.QueueServiceUri ?? storage.AccountServiceUri("queue"), storage.RequireCredential(), queueOptions);
        BlobServiceClient blobs = connectionString
            ? new BlobServiceClient(storage.ConnectionString, blobOptions)
            : new BlobServiceClient(storage.BlobServiceUri ?? storage.AccountServiceUri("blob"), storage.RequireCredential(), blobOptions);

        _table = storage.CreateTableServiceClient().GetTableClient(Names.HistoryTable);
        Control = queues.GetQueueClient(Names.ControlQueue);
        WorkItems = queues.GetQueueClient(Names.WorkItemQueue);
        Poison = queues.GetQueueClient(Names.PoisonQueue);
        _payloads = blobs.GetBlobContainerClient(Names.PayloadContainer);
    }

    public StorageNames Names { get; }

    public QueueClient Control { get; }

    public QueueClient WorkItems { get; }

    public QueueClient Poison { get; }

    /// <summary>Creates the table, queues and container once per process (again after a failed attempt).</summary>
    public Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        Task? creation = _creation;
        if (creation is null || creation.IsFaulted || creation.IsCanceled)
        {
            creation = CreateAllAsync(cancellationToken);
            _creation = creation;
        }

        return creation.WaitAsync(cancellationToken);
    }

    private async Task CreateAllAsync(CancellationToken cancellationToken)
        => await Task.WhenAll(
            _table.CreateIfNotExistsAsync(cancellationToken),
            Control.CreateIfNotExistsAsync(cancellationToken: cancellationToken),
            WorkItems.CreateIfNotExistsAsync(cancellationToken: cancellationToken),
            Poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken),
            _payloads.CreateIfNotExistsAsync(cancellationToken: cancellationToken)).ConfigureAwait(false);

    // ---- payloads -------------------------------------------------------------------------

    /// <summary>Protects a payload and stores it inline, or in a blob when it is too large for a property or a message.</summary>
    public async Task<string?> WritePayloadAsync(string instanceId, string? payload, CancellationToken cancellationToken)
    {
        if (payload is null)
        {
            return null;
        }

        string protectedPayload = await _protector.ProtectAsync(payload, cancellationToken).ConfigureAwait(false);
        if (Encoding.UTF8.GetByteCount(protectedPayload) <= MaxInlinePayloadBytes && !protectedPayload.StartsWith(BlobReferencePrefix, StringComparison.Ordinal))
        {
            return protectedPayload;
        }

        string blobName = $"{instanceId}/{Guid.NewGuid():N}";
        await _payloads.GetBlobClient(blobName).UploadAsync(BinaryData.FromString(protectedPayload), overwrite: true, cancellationToken).ConfigureAwait(false);
        return BlobReferencePrefix + blobName;
    }

    /// <summary>Reverses <see cref="WritePayloadAsync"/>.</summary>
    public async Task<string?> ReadPayloadAsync(string? stored, CancellationToken cancellationToken)
    {
        if (stored is null)
        {
            return null;
        }

        string protectedPayload = stored;
        if (stored.StartsWith(BlobReferencePrefix, StringComparison.Ordinal))
        {
            var download = await _payloads.GetBlobClient(stored[BlobReferencePrefix.Length..]).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            protectedPayload = download.Value.Content.ToString();
        }

        return await _protector.UnprotectAsync(protectedPayload, cancellationToken).ConfigureAwait(false);
    }

    public async Task<string?> WriteFailureAsync(string instanceId, TaskFailureDetails? failure, CancellationToken cancellationToken)
        => failure is null ? null : await WritePayloadAsync(instanceId, JsonSerializer.Serialize(failure, StorageJson.Options), cancellationToken).ConfigureAwait(false);

    public async Task<TaskFailureDetails?> ReadFailureAsync(string? stored, CancellationToken cancellationToken)
        => await ReadPayloadAsync(stored, cancellationToken).ConfigureAwait(false) is { } json
            ? JsonSerializer.Deserialize<TaskFailureDetails>(json, StorageJson.Options)
            : null;

    // ---- instances ------------------------------------------------------------------------

    /// <summary>
    /// Inserts the row of a new pending instance and returns its state, ready for its first step without
    /// reading it back; <c>null</c> when the id is taken.
    /// </summary>
    public async Task<InstanceState?> TryCreateInstanceAsync(string instanceId, string name, string executionId, string? input, CancellationToken cancellationToken)
    {
        DateTimeOffset now = _time.GetUtcNow();
        string? storedInput = await WritePayloadAsync(instanceId, input, cancellationToken).ConfigureAwait(false);
        var row = new TableEntity(instanceId, InstanceRowKey)
        {
            ["Name"] = name,
            ["Status"] = nameof(OrchestrationRuntimeStatus.Pending),
            ["ExecutionId"] = executionId,
            ["Input"] = storedInput,
            ["CreatedAt"] = now,
            ["LastUpdatedAt"] = now,
            ["HistoryCount"] = 0,
        };
        Response response;
        try
        {
            response = await _table.AddEntityAsync(row, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return null;
        }

        return new InstanceState
        {
            InstanceId = instanceId,
            Name = name,
            ExecutionId = executionId,
            Status = OrchestrationRuntimeStatus.Pending,
            CreatedAt = now,
            LastUpdatedAt = now,
            Input = input,
            StoredInput = storedInput,
            History = [],
            ETag = response.Headers.ETag ?? default,
        };
    }

    /// <summary>Reads an instance with its history and pending outbox; <c>null</c> when it does not exist.</summary>
    public async Task<InstanceState?> LoadAsync(string instanceId, CancellationToken cancellationToken)
    {
        TableEntity? instanceRow = null;
        var historyRows = new List<TableEntity>();
        var outboxRows = new List<TableEntity>();
        await foreach (TableEntity row in _table.QueryAsync<TableEntity>(PartitionFilter(instanceId), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (row.RowKey == InstanceRowKey)
            {
                instanceRow = row;
            }
            else if (row.RowKey.StartsWith('h'))
            {
                historyRows.Add(row);
            }
            else if (row.RowKey.StartsWith('o'))
            {
                outboxRows.Add(row);
            }
        }

        if (instanceRow is null)
        {
            return null;
        }

        int historyCount = instanceRow.GetInt32("HistoryCount") ?? 0;
        List<HistoryEvent> history = await ReadHistoryAsync(instanceId, historyRows, historyCount, cancellationToken).ConfigureAwait(false);

        var outbox = new List<OutboxEntry>(outboxRows.Count);
        foreach (TableEntity row in outboxRows)
        {
            outbox.Add(await ReadOutboxRowAsync(row, cancellationToken).ConfigureAwait(false));
        }

        var state = new InstanceState
        {
            InstanceId = instanceId,
            Name = instanceRow.GetString("Name"),
            ExecutionId = instanceRow.GetString("ExecutionId"),
            Status = Enum.Parse<OrchestrationRuntimeStatus>(instanceRow.GetString("Status")),
            CreatedAt = instanceRow.GetDateTimeOffset("CreatedAt") ?? default,
            LastUpdatedAt = instanceRow.GetDateTimeOffset("LastUpdatedAt") ?? default,
            StoredInput = instanceRow.GetString("Input"),
            Input = await ReadPayloadAsync(instanceRow.GetString("Input"), cancellationToken).ConfigureAwait(false),
            Output = await ReadPayloadAsync(instanceRow.GetString("Output"), cancellationToken).ConfigureAwait(false),
            CustomStatus = await ReadPayloadAsync(instanceRow.GetString("CustomStatus"), cancellationToken).ConfigureAwait(false),
            StoredCustomStatus = instanceRow.GetString("CustomStatus"),
            Failure = await ReadFailureAsync(instanceRow.GetString("Failure"), cancellationToken).ConfigureAwait(false),
            History = history,
            ETag = instanceRow.ETag,
            PendingOutbox = outbox,
        };
        state.StoredCustomStatusClear = state.CustomStatus;
        return state;
    }

    /// <summary>Reads only the instance row, as client-facing metadata.</summary>
    public async Task<OrchestrationMetadata?> GetMetadataAsync(string instanceId, bool includePayloads, CancellationToken cancellationToken)
    {
        NullableResponse<TableEntity> response = await _table.GetEntityIfExistsAsync<TableEntity>(instanceId, InstanceRowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? await ToMetadataAsync(response.Value!, includePayloads, cancellationToken).ConfigureAwait(false) : null;
    }

    /// <summary>Reads just the status and execution id of an instance (one small point read).</summary>
    public async Task<(OrchestrationRuntimeStatus Status, string ExecutionId)?> GetStatusAsync(string instanceId, CancellationToken cancellationToken)
    {
        NullableResponse<TableEntity> response = await _table.GetEntityIfExistsAsync<TableEntity>(
            instanceId, InstanceRowKey, select: ["Status", "ExecutionId"], cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue
            ? (Enum.Parse<OrchestrationRuntimeStatus>(response.Value!.GetString("Status")), response.Value.GetString("ExecutionId"))
            : null;
    }

    /// <summary>
    /// Commits a step: the instance row (guarded by <paramref name="expected"/>), the new history rows
    /// and the outbox row. Returns the new ETag, or <c>null</c> when another writer got there first.
    /// </summary>
    public async Task<ETag?> TryCommitAsync(InstanceState state, ETag expected, int firstSequence, IReadOnlyList<HistoryEvent> newEvents, OutboxEntry? outbox, CancellationToken cancellationToken)
    {
        List<TableEntity> rows = await ToHistoryRowsAsync(state.InstanceId, firstSequence, newEvents, cancellationToken).ConfigureAwait(false);

        if (outbox is not null)
        {
            rows.Add(await ToOutboxRowAsync(state.InstanceId, outbox, cancellationToken).ConfigureAwait(false));
        }

        // Custom status is rewritten only when it changed: a large one would otherwise cost a blob per step.
        string? customStatus = state.CustomStatus == state.StoredCustomStatusClear
            ? state.StoredCustomStatus
            : await WritePayloadAsync(state.InstanceId, state.CustomStatus, cancellationToken).ConfigureAwait(false);
        var instanceRow = new TableEntity(state.InstanceId, InstanceRowKey)
        {
            ["Name"] = state.Name,
            ["Status"] = state.Status.ToString(),
            ["ExecutionId"] = state.ExecutionId,
            ["Input"] = state.StoredInput,
            ["Output"] = await WritePayloadAsync(state.InstanceId, state.Output, cancellationToken).ConfigureAwait(false),
            ["CustomStatus"] = customStatus,
            ["Failure"] = await WriteFailureAsync(state.InstanceId, state.Failure, cancellationToken).ConfigureAwait(false),
            ["CreatedAt"] = state.CreatedAt,
            ["LastUpdatedAt"] = state.LastUpdatedAt,
            ["HistoryCount"] = firstSequence + newEvents.Count,
        };

        // Rows that do not fit next to the instance row go first; they stay invisible until the
        // instance row's HistoryCount covers them, so a lost race leaves only harmless leftovers.
        // Each of those transactions is guarded by the instance row's ETag too (a merge that changes
        // nothing but the ETag): unguarded, a step that has already lost would overwrite the rows the
        // winner just committed at the same positions.
        int overflow = Math.Max(0, rows.Count - (MaxTransactionActions - 1));
        foreach (var chunk in rows.Take(overflow).Chunk(MaxTransactionActions - 1))
        {
            var guard = new TableEntity(state.InstanceId, InstanceRowKey) { ["HistoryCount"] = firstSequence };
            var chunkActions = new List<TableTransactionAction> { new(TableTransactionActionType.UpdateMerge, guard, expected) };
            chunkActions.AddRange(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)));
            try
            {
                Response<IReadOnlyList<Response>> written = await _table.SubmitTransactionAsync(chunkActions, cancellationToken).ConfigureAwait(false);
                expected = written.Value[0].Headers.ETag
                    ?? throw new InvalidOperationException("The table service returned no ETag for the instance row; the step cannot continue its commit.");
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 412 or 404)
            {
                return null;
            }
        }

        var actions = new List<TableTransactionAction> { new(TableTransactionActionType.UpdateReplace, instanceRow, expected) };
        actions.AddRange(rows.Skip(overflow).Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)));
        try
        {
            Response<IReadOnlyList<Response>> response = await _table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
            state.StoredCustomStatus = customStatus;
            state.StoredCustomStatusClear = state.CustomStatus;
            return response.Value[0].Headers.ETag ?? default(ETag);
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 412 or 404)
        {
            return null;
        }
    }

    public async Task DeleteOutboxAsync(string instanceId, string rowKey, CancellationToken cancellationToken)
    {
        try
        {
            await _table.DeleteEntityAsync(instanceId, rowKey, ETag.All, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Already dispatched and deleted by another worker.
        }
    }

    /// <summary>
    /// <see cref="DeleteOutboxAsync"/> as best effort, for a dispatched outbox: a row that stays costs
    /// only a duplicate dispatch when the instance is next loaded from storage.
    /// </summary>
    public async Task TryDeleteOutboxAsync(string instanceId, string rowKey, CancellationToken cancellationToken)
    {
        try
        {
            await DeleteOutboxAsync(instanceId, rowKey, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex)
        {
            if (_logger is not null)
            {
                DurableDiagnostics.OutboxNotDeleted(_logger, instanceId, rowKey, ex.Status);
            }
        }
    }

    // ---- queues ---------------------------------------------------------------------------

    public async Task<SendReceipt> SendControlAsync(ControlMessage message, TimeSpan delay, CancellationToken cancellationToken)
    {
        // The queue service counts visibility in whole seconds and the SDK truncates, so a timer due in
        // 1.5 s would surface after 1 s, and one due in 0.9 s at once. Rounding up keeps every delayed
        // message (durable timers above all) from surfacing before it is due.
        TimeSpan visibility = delay <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Ceiling(delay.TotalSeconds));
        return await Control.SendMessageAsync(JsonSerializer.Serialize(message, StorageJson.Options), visibility, timeToLive: TimeSpan.FromSeconds(-1), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends an activity invocation, visible at once or hidden for <paramref name="hiddenFor"/> (as if already received).</summary>
    public async Task<SendReceipt> SendWorkItemAsync(WorkItemMessage message, TimeSpan? hiddenFor, CancellationToken cancellationToken)
        => await WorkItems.SendMessageAsync(JsonSerializer.Serialize(message, StorageJson.Options), hiddenFor, timeToLive: TimeSpan.FromSeconds(-1), cancellationToken).ConfigureAwait(false);

    /// <summary>Longest visibility delay a queue accepts; later timers are chained.</summary>
    public static readonly TimeSpan MaxMessageDelay = TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1);

    /// <summary>Sends the control messages of an outbox entry, each when it is due. Duplicates are harmless: receivers are idempotent.</summary>
    public async Task SendScheduledAsync(IEnumerable<ScheduledControlMessage> messages, CancellationToken cancellationToken)
    {
        DateTimeOffset now = _time.GetUtcNow();
        await Task.WhenAll(messages.Select(scheduled =>
        {
            TimeSpan delay = scheduled.VisibleAt is { } at ? at - now : TimeSpan.Zero;
            return SendControlAsync(scheduled.Message, delay > MaxMessageDelay ? MaxMessageDelay : delay, cancellationToken);
        })).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes a message this process sent or received and no longer needs. Best effort: a message
    /// that stays is only a harmless duplicate, so a failure is logged, not thrown.
    /// </summary>
    public async Task TryDeleteMessageAsync(QueueClient queue, string messageId, string popReceipt, CancellationToken cancellationToken)
    {
        try
        {
            await queue.DeleteMessageAsync(messageId, popReceipt, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex)
        {
            // 404: already received by a listener (its pop receipt replaced ours) or deleted.
            if (ex.Status != 404 && _logger is not null)
            {
                DurableDiagnostics.MessageNotUpdated(_logger, messageId, queue.Name, "delete", ex.Status);
            }
        }
    }

    /// <summary>
    /// Hands a message whose processing failed back to the queue after <paramref name="delay"/>, instead
    /// of its whole visibility timeout. Best effort: if it fails the timeout still brings it back.
    /// </summary>
    public async Task TryRetryLaterAsync(QueueClient queue, string messageId, string popReceipt, TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await queue.UpdateMessageAsync(messageId, popReceipt, visibilityTimeout: delay, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex)
        {
            if (_logger is not null)
            {
                DurableDiagnostics.MessageNotUpdated(_logger, messageId, queue.Name, "retry later", ex.Status);
            }
        }
    }

    public static ControlMessage ParseControl(string text) => Parse<ControlMessage>(text, "control message");

    public static WorkItemMessage ParseWorkItem(string text) => Parse<WorkItemMessage>(text, "work item message");

    // One exception type for "not ours", as the Functions entry points document: callers that
    // poison such messages must not need to know the serializer's own exceptions.
    private static T Parse<T>(string text, string what) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(text, StorageJson.Options) ?? throw new FormatException($"Empty {what}.");
        }
        catch (JsonException ex)
        {
            throw new FormatException($"Not a runtime {what}: {ex.Message}", ex);
        }
    }

    private async Task MoveUndecodableToPoisonAsync(QueueMessageDecodingFailedEventArgs args)
    {
        // A peek has no pop receipt and moves nothing; the runtime only receives.
        if (args.ReceivedMessage is not { } message)
        {
            return;
        }

        // The body is as received (not decoded); the poison queue keeps it as text like its other messages.
        string text = message.Body.ToString();
        if (args.IsRunningSynchronously)
        {
            Poison.SendMessage(text, visibilityTimeout: null, timeToLive: TimeSpan.FromSeconds(-1), args.CancellationToken);
            args.Queue.DeleteMessage(message.MessageId, message.PopReceipt, args.CancellationToken);
        }
        else
        {
            await Poison.SendMessageAsync(text, visibilityTimeout: null, timeToLive: TimeSpan.FromSeconds(-1), args.CancellationToken).ConfigureAwait(false);
            await args.Queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, args.CancellationToken).ConfigureAwait(false);
        }

        if (_logger is not null)
        {
            DurableDiagnostics.MessageUndecodable(_logger, message.MessageId, args.Queue.Name);
        }
    }

    public async Task MoveToPoisonAsync(QueueClient source, QueueMessage message, CancellationToken cancellationToken)
    {
        await Poison.SendMessageAsync(message.MessageText, visibilityTimeout: null, timeToLive: TimeSpan.FromSeconds(-1), cancellationToken).ConfigureAwait(false);
        await source.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
    }

    // ---- query and purge ------------------------------------------------------------------

    public async Task<OrchestrationQueryResult> QueryAsync(OrchestrationQuery query, CancellationToken cancellationToken)
    {
        var filter = new StringBuilder($"RowKey eq '{InstanceRowKey}'");
        if (query.Statuses is { Count: > 0 } statuses)
        {
            filter.Append(" and (").AppendJoin(" or ", statuses.Select(s => TableClient.CreateQueryFilter($"Status eq {s.ToString()}"))).Append(')');
        }

        if (query.CreatedFrom is { } from)
        {
            filter.Append(" and ").Append(TableClient.CreateQueryFilter($"CreatedAt ge {from}"));
        }

        if (query.CreatedTo is { } to)
        {
            filter.Append(" and ").Append(TableClient.CreateQueryFilter($"CreatedAt le {to}"));
        }

        if (!string.IsNullOrEmpty(query.InstanceIdPrefix))
        {
            string prefix = query.InstanceIdPrefix;
            string upper = prefix[..^1] + (char)(prefix[^1] + 1);
            filter.Append(" and ").Append(TableClient.CreateQueryFilter($"PartitionKey ge {prefix} and PartitionKey lt {upper}"));
        }

        int pageSize = Math.Clamp(query.PageSize, 1, 1000);
        await foreach (Page<TableEntity> page in _table.QueryAsync<TableEntity>(filter.ToString(), maxPerPage: pageSize, cancellationToken: cancellationToken)
            .AsPages(query.ContinuationToken, pageSize).ConfigureAwait(false))
        {
            var instances = new List<OrchestrationMetadata>(page.Values.Count);
            foreach (TableEntity row in page.Values)
            {
                instances.Add(await ToMetadataAsync(row, query.FetchInputsAndOutputs, cancellationToken).ConfigureAwait(false));
            }

            return new OrchestrationQueryResult(instances, page.ContinuationToken);
        }

        return new OrchestrationQueryResult([], null);
    }

    /// <summary>Deletes every row and blob of an instance, the instance row last so a crash mid-purge can be purged again.</summary>
    public async Task PurgeAsync(string instanceId, CancellationToken cancellationToken)
    {
        var keys = new List<TableEntity>();
        // Both keys: a delete action needs the partition key too, and a projection returns only what it names.
        await foreach (TableEntity row in _table.QueryAsync<TableEntity>(PartitionFilter(instanceId), select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            keys.Add(row);
        }

        await foreach (BlobItem blob in _payloads.GetBlobsAsync(BlobTraits.None, BlobStates.None, instanceId + "/", cancellationToken).ConfigureAwait(false))
        {
            await _payloads.DeleteBlobIfExistsAsync(blob.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        foreach (var chunk in keys.Where(k => k.RowKey != InstanceRowKey).Chunk(MaxTransactionActions))
        {
            await _table.SubmitTransactionAsync(chunk.Select(k => new TableTransactionAction(TableTransactionActionType.Delete, k, ETag.All)), cancellationToken).ConfigureAwait(false);
        }

        await _table.DeleteEntityAsync(instanceId, InstanceRowKey, ETag.All, cancellationToken).ConfigureAwait(false);
    }

    // ---- row mapping ----------------------------------------------------------------------

    private static string PartitionFilter(string instanceId) => TableClient.CreateQueryFilter($"PartitionKey eq {instanceId}");

    private async Task<List<TableEntity>> ToHistoryRowsAsync(string instanceId, int firstSequence, IReadOnlyList<HistoryEvent> events, CancellationToken cancellationToken)
    {
        var stored = new List<StoredHistoryEvent>(events.Count);
        foreach (HistoryEvent e in events)
        {
            stored.Add(new StoredHistoryEvent
            {
                Type = e.Type,
                Timestamp = e.Timestamp,
                EventId = e.EventId,
                TaskScheduledId = e.TaskScheduledId,
                Name = e.Name,
                Payload = e.StoredPayload ?? await WritePayloadAsync(instanceId, e.Payload, cancellationToken).ConfigureAwait(false),
                Failure = e.StoredFailure ?? await WriteFailureAsync(instanceId, e.Failure, cancellationToken).ConfigureAwait(false),
                FireAt = e.FireAt,
                MessageId = e.MessageId,
                Status = e.Status,
            });
        }

        var rows = new List<TableEntity>();
        foreach ((int sequence, string json) in HistoryRows.Pack(firstSequence, stored))
        {
            // Only a single event too large for a property gets here (its payload and failure both near the inline limit).
            string value = json.Length <= HistoryRows.MaxRowChars ? json : await SpillAsync(instanceId, json, cancellationToken).ConfigureAwait(false);
            rows.Add(new TableEntity(instanceId, HistoryRows.RowKey(sequence)) { [HistoryRows.EventsProperty] = value });
        }

        return rows;
    }

    /// <summary>
    /// Reads the committed history: the rows from sequence 0 up to <paramref name="historyCount"/>, each
    /// starting where the previous one ended. A row that starts inside an earlier one is a leftover of a
    /// step that lost its race (written ahead of its commit) and is skipped.
    /// </summary>
    private async Task<List<HistoryEvent>> ReadHistoryAsync(string instanceId, List<TableEntity> rows, int historyCount, CancellationToken cancellationToken)
    {
        var history = new List<HistoryEvent>(historyCount);
        foreach (TableEntity row in rows.OrderBy(r => r.RowKey, StringComparer.Ordinal))
        {
            int sequence = HistoryRows.Sequence(row.RowKey);
            if (sequence >= historyCount)
            {
                break;
            }

            if (sequence < history.Count)
            {
                continue;
            }

            if (sequence > history.Count)
            {
                throw new InvalidOperationException($"The history of instance '{instanceId}' has a gap before event {sequence}; the instance cannot be replayed.");
            }

            foreach (StoredHistoryEvent stored in HistoryRows.Unpack(await ReadSpillableAsync(row.GetString(HistoryRows.EventsProperty), cancellationToken).ConfigureAwait(false)))
            {
                history.Add(new HistoryEvent
                {
                    Type = stored.Type,
                    Timestamp = stored.Timestamp,
                    EventId = stored.EventId,
                    TaskScheduledId = stored.TaskScheduledId,
                    Name = stored.Name,
                    Payload = await ReadPayloadAsync(stored.Payload, cancellationToken).ConfigureAwait(false),
                    Failure = await ReadFailureAsync(stored.Failure, cancellationToken).ConfigureAwait(false),
                    FireAt = stored.FireAt,
                    MessageId = stored.MessageId,
                    Status = stored.Status,
                });
            }
        }

        return history.Count == historyCount
            ? history
            : throw new InvalidOperationException($"The history of instance '{instanceId}' holds {history.Count} of its {historyCount} events; the instance cannot be replayed.");
    }

    // Outbox messages already carry protected payload references, so the row itself needs no protection.
    private async Task<TableEntity> ToOutboxRowAsync(string instanceId, OutboxEntry outbox, CancellationToken cancellationToken)
    {
        string json = JsonSerializer.Serialize(new OutboxRecord(outbox.ControlMessages, outbox.WorkItems), StorageJson.Options);
        string stored = Encoding.UTF8.GetByteCount(json) <= MaxInlinePayloadBytes ? json : await SpillAsync(instanceId, json, cancellationToken).ConfigureAwait(false);
        return new TableEntity(instanceId, outbox.RowKey) { ["Messages"] = stored };
    }

    private async Task<OutboxEntry> ReadOutboxRowAsync(TableEntity row, CancellationToken cancellationToken)
    {
        string json = await ReadSpillableAsync(row.GetString("Messages"), cancellationToken).ConfigureAwait(false);
        OutboxRecord record = JsonSerializer.Deserialize<OutboxRecord>(json, StorageJson.Options)!;
        return new OutboxEntry(row.RowKey, record.ControlMessages, record.WorkItems);
    }

    private async Task<string> SpillAsync(string instanceId, string content, CancellationToken cancellationToken)
    {
        string blobName = $"{instanceId}/{Guid.NewGuid():N}";
        await _payloads.GetBlobClient(blobName).UploadAsync(BinaryData.FromString(content), overwrite: true, cancellationToken).ConfigureAwait(false);
        return BlobReferencePrefix + blobName;
    }

    /// <summary>Reverses <see cref="SpillAsync"/> for a property that holds either the content or a blob reference.</summary>
    private async Task<string> ReadSpillableAsync(string stored, CancellationToken cancellationToken)
        => stored.StartsWith(BlobReferencePrefix, StringComparison.Ordinal)
            ? (await _payloads.GetBlobClient(stored[BlobReferencePrefix.Length..]).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content.ToString()
            : stored;

    private async Task<OrchestrationMetadata> ToMetadataAsync(TableEntity row, bool includePayloads, CancellationToken cancellationToken) => new()
    {
        InstanceId = row.PartitionKey,
        Name = row.GetString("Name"),
        RuntimeStatus = Enum.Parse<OrchestrationRuntimeStatus>(row.GetString("Status")),
        CreatedAt = row.GetDateTimeOffset("CreatedAt") ?? default,
        LastUpdatedAt = row.GetDateTimeOffset("LastUpdatedAt") ?? default,
        SerializedCustomStatus = await ReadPayloadAsync(row.GetString("CustomStatus"), cancellationToken).ConfigureAwait(false),
        FailureDetails = await ReadFailureAsync(row.GetString("Failure"), cancellationToken).ConfigureAwait(false),
        SerializedInput = includePayloads ? await ReadPayloadAsync(row.GetString("Input"), cancellationToken).ConfigureAwait(false) : null,
        SerializedOutput = includePayloads ? await ReadPayloadAsync(row.GetString("Output"), cancellationToken).ConfigureAwait(false) : null,
    };

    private sealed record OutboxRecord(IReadOnlyList<ScheduledControlMessage> ControlMessages, IReadOnlyList<WorkItemMessage> WorkItems);
}
