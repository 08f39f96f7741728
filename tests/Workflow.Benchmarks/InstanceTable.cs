using Azure;
using Azure.Data.Tables;

namespace Workflow.Benchmarks;

/// <summary>
/// Reads the engine's <c>&lt;hub&gt;Instances</c> table directly, uncounted: how the benchmark learns when an instance
/// reached a state without polling through the engine (whose status waits poll every 2 seconds).
/// </summary>
/// <remarks>
/// The time of a state is the row's <see cref="TableEntity.Timestamp"/>, which storage sets when it commits the write:
/// the moment the state became visible to any status query. Azurite runs on this machine's clock, so it compares with
/// the benchmark's own <see cref="DateTimeOffset.UtcNow"/>.
/// </remarks>
internal sealed class InstanceTable(string connectionString, string hubName)
{
    // A commit normally lands within milliseconds of the last episode: poll fast at first, then back off, to keep the
    // benchmark's own load on Azurite small when the machine is slow.
    private static readonly TimeSpan FastPoll = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan SlowPoll = TimeSpan.FromMilliseconds(50);
    private readonly TableClient _table = new(connectionString, hubName + "Instances");

    public async Task<InstanceRow?> GetAsync(string instanceId, CancellationToken cancellationToken)
    {
        using (StorageMeter.Uncounted())
        {
            NullableResponse<TableEntity> row = await _table.GetEntityIfExistsAsync<TableEntity>(instanceId, string.Empty, cancellationToken: cancellationToken).ConfigureAwait(false);
            return row.HasValue ? InstanceRow.From(row.Value!) : null;
        }
    }

    public async Task<IReadOnlyList<InstanceRow>> ListAsync(CancellationToken cancellationToken)
    {
        using (StorageMeter.Uncounted())
        {
            var rows = new List<InstanceRow>();
            await foreach (TableEntity entity in _table.QueryAsync<TableEntity>(cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                rows.Add(InstanceRow.From(entity));
            }

            return rows;
        }
    }

    /// <summary>Polls one row (every 5 ms for 100 ms, then every 50 ms) until <paramref name="done"/>; throws after <paramref name="timeout"/>.</summary>
    public async Task<InstanceRow> WaitAsync(string instanceId, Func<InstanceRow, bool> done, TimeSpan timeout, CancellationToken cancellationToken)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        for (int polls = 0; ; polls++)
        {
            if (await GetAsync(instanceId, cancellationToken).ConfigureAwait(false) is { } row && done(row))
            {
                return row;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Instance {instanceId} did not reach the expected state within {timeout}.");
            }

            await Task.Delay(polls < 20 ? FastPoll : SlowPoll, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Scans the table (every 50 ms) until every id in <paramref name="instanceIds"/> is done; throws after <paramref name="timeout"/>.</summary>
    public async Task<Dictionary<string, InstanceRow>> WaitAllAsync(
        IReadOnlyCollection<string> instanceIds, Func<InstanceRow, bool> done, TimeSpan timeout, CancellationToken cancellationToken)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        var wanted = new HashSet<string>(instanceIds, StringComparer.Ordinal);
        while (true)
        {
            Dictionary<string, InstanceRow> rows = (await ListAsync(cancellationToken).ConfigureAwait(false))
                .Where(r => wanted.Contains(r.InstanceId) && done(r))
                .ToDictionary(r => r.InstanceId, StringComparer.Ordinal);
            if (rows.Count == wanted.Count)
            {
                return rows;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{wanted.Count - rows.Count} of {wanted.Count} instances did not reach the expected state within {timeout}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>One row of the Instances table: status, custom status and output as the engine stored them, and when.</summary>
internal sealed record InstanceRow(string InstanceId, string? RuntimeStatus, string? CustomStatus, string? Output, DateTimeOffset Timestamp)
{
    public bool IsCompleted => RuntimeStatus == "Completed";

    public bool IsTerminal => RuntimeStatus is "Completed" or "Failed" or "Terminated" or "Canceled";

    public static InstanceRow From(TableEntity entity) => new(
        entity.PartitionKey,
        entity.GetString("RuntimeStatus"),
        entity.GetString("CustomStatus"),
        entity.GetString("Output"),
        entity.Timestamp ?? DateTimeOffset.MinValue);
}
