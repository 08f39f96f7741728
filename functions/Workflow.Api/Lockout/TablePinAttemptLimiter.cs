using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Workflow.Vehicles;
using Workflow.Vehicles.Lockout;
using Workflow.Vehicles.Options;

namespace Workflow.Api.Lockout;

/// <summary>
/// The per-vehicle PIN lockout (<see cref="IPinAttemptLimiter"/>) on Azure Table storage, shared by every app
/// instance: one row per VIN holding that vehicle's attempts, updated read-modify-write with the row's ETag.
/// </summary>
/// <remarks>
/// <para>
/// Row: partition key = the VIN, row key <see cref="RowKey"/>, property <see cref="AttemptsProperty"/> = the
/// attempts as JSON (<c>[{"id","at","rejected"}]</c>). The rules are <see cref="PinAttemptLedger"/>'s; this class
/// only loads, saves and settles races. A row left without attempts is deleted.
/// </para>
/// <para>
/// Two instances updating the same VIN at once: both read, both write with the ETag they read, the table accepts
/// one and answers the other 412 (or 409 when both create the row), which reads again and re-applies its
/// operation to the new attempts. Each round one writer wins, so a bounded number of rounds always suffices;
/// past <see cref="MaxRounds"/> the operation fails rather than guess. Refusals and read-only checks write nothing.
/// </para>
/// </remarks>
internal sealed class TablePinAttemptLimiter(TableClient table, IOptions<VehicleWorkflowOptions> options, TimeProvider time) : IPinAttemptLimiter
{
    /// <summary>The row key of a vehicle's row.</summary>
    public const string RowKey = "attempts";

    /// <summary>The property holding the attempts as JSON.</summary>
    public const string AttemptsProperty = "Attempts";

    /// <summary>Read-modify-write rounds before giving up on a contended row.</summary>
    public const int MaxRounds = 64;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly TableCreation _creation = new(table);

    /// <summary>
    /// The table, on the engine's storage account. One for the account, not one per task hub: a vehicle's failed
    /// PINs count against its owner's account whichever deployment sent them.
    /// </summary>
    public const string TableName = "VehiclePinAttempts";

    public Task<PinAttemptReservation> TryReserveAsync(string vin, string attemptId, CancellationToken cancellationToken)
        => UpdateAsync(vin, ledger => ledger.TryReserve(attemptId), cancellationToken);

    public Task RecordWrongPinAsync(string vin, string attemptId, CancellationToken cancellationToken)
        => UpdateAsync(vin, ledger => ledger.RecordWrongPin(attemptId), cancellationToken);

    public Task RecordRightPinAsync(string vin, string attemptId, CancellationToken cancellationToken)
        => UpdateAsync(vin, ledger => ledger.RecordRightPin(attemptId), cancellationToken);

    public Task ReleaseAsync(string vin, string attemptId, CancellationToken cancellationToken)
        => UpdateAsync(vin, ledger => ledger.Release(attemptId), cancellationToken);

    public async Task<PinAttemptReservation> CheckAsync(string vin, CancellationToken cancellationToken)
    {
        StoredAttempts stored = await ReadAsync(vin, cancellationToken).ConfigureAwait(false);
        return NewLedger(stored.Attempts).Check();
    }

    private async Task UpdateAsync(string vin, Action<PinAttemptLedger> operation, CancellationToken cancellationToken)
        => await UpdateAsync(
            vin,
            ledger =>
            {
                operation(ledger);
                return true;
            },
            cancellationToken).ConfigureAwait(false);

    private async Task<T> UpdateAsync<T>(string vin, Func<PinAttemptLedger, T> operation, CancellationToken cancellationToken)
    {
        for (int round = 1; round <= MaxRounds; round++)
        {
            StoredAttempts stored = await ReadAsync(vin, cancellationToken).ConfigureAwait(false);
            PinAttemptLedger ledger = NewLedger(stored.Attempts);
            T result = operation(ledger);
            if (!ledger.HasChanged || await TryWriteAsync(vin, ledger.Attempts, stored.ETag, cancellationToken).ConfigureAwait(false))
            {
                return result;
            }
        }

        throw new InvalidOperationException(
            $"The PIN attempts of VIN {vin} changed under every one of {MaxRounds} updates in a row; the attempt was not recorded.");
    }

    private PinAttemptLedger NewLedger(IReadOnlyList<PinAttempt> attempts) => PinAttemptLedger.FromOptions(attempts, options.Value, time.GetUtcNow());

    private async Task<StoredAttempts> ReadAsync(string vin, CancellationToken cancellationToken)
    {
        // VINs are 17 letters and digits: nothing a partition key forbids.
        if (!VehicleCommandValidation.IsValidVin(vin))
        {
            throw new ArgumentException("The VIN must be 17 digits and capital letters except I, O and Q.", nameof(vin));
        }

        await _creation.EnsureAsync(cancellationToken).ConfigureAwait(false);
        NullableResponse<TableEntity> row = await table.GetEntityIfExistsAsync<TableEntity>(vin, RowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!row.HasValue)
        {
            return new StoredAttempts([], null);
        }

        string json = row.Value!.GetString(AttemptsProperty) ?? "[]";
        return new StoredAttempts(JsonSerializer.Deserialize<List<PinAttempt>>(json, Json) ?? [], row.Value.ETag);
    }

    /// <summary>Writes the attempts if the row is still as read (<paramref name="etag"/>, or absent when null); false when another writer came first.</summary>
    private async Task<bool> TryWriteAsync(string vin, IReadOnlyList<PinAttempt> attempts, ETag? etag, CancellationToken cancellationToken)
    {
        try
        {
            if (etag is not { } expected)
            {
                if (attempts.Count > 0)
                {
                    await table.AddEntityAsync(ToEntity(vin, attempts), cancellationToken).ConfigureAwait(false);
                }
            }
            else if (attempts.Count == 0)
            {
                await table.DeleteEntityAsync(vin, RowKey, expected, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await table.UpdateEntityAsync(ToEntity(vin, attempts), expected, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            }

            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412 or 404)
        {
            // 409: created meanwhile; 412: changed meanwhile; 404: deleted meanwhile. Read again.
            return false;
        }
    }

    private static TableEntity ToEntity(string vin, IReadOnlyList<PinAttempt> attempts)
        => new(vin, RowKey) { [AttemptsProperty] = JsonSerializer.Serialize(attempts, Json) };

    private sealed record StoredAttempts(IReadOnlyList<PinAttempt> Attempts, ETag? ETag);
}
