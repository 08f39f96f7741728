using System.Globalization;
using Azure;
using Azure.Data.Tables;

namespace Workflow.Api.Commands;

/// <summary>
/// One PIN per PIN round: the first submission for a round inserts that round's row, and every other one for the same
/// round finds it there (the table answers 409), however many app instances take PINs at once. One row per accepted
/// PIN, in the table <see cref="TableName"/> on the engine's storage account (partition: the command id).
/// </summary>
internal sealed class PinRoundClaims(TableClient table)
{
    /// <summary>The table.</summary>
    public const string TableName = "VehiclePinRoundClaims";

    private readonly TableCreation _creation = new(table);

    /// <summary>Claims round <paramref name="round"/> of execution <paramref name="executionId"/> of <paramref name="commandId"/>.</summary>
    /// <returns><c>true</c> for the first claim, <c>false</c> when the round already has its PIN.</returns>
    public async Task<bool> TryClaimAsync(string commandId, Guid executionId, int round, CancellationToken cancellationToken)
    {
        await _creation.EnsureAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await table.AddEntityAsync(new TableEntity(commandId, RowKey(executionId, round)), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    /// <summary>Gives a claimed round back, when its PIN could not be delivered after all.</summary>
    public async Task ReleaseAsync(string commandId, Guid executionId, int round, CancellationToken cancellationToken)
        => await table.DeleteEntityAsync(commandId, RowKey(executionId, round), ETag.All, cancellationToken).ConfigureAwait(false);

    private static string RowKey(Guid executionId, int round)
        => string.Create(CultureInfo.InvariantCulture, $"{executionId:N}-{round:D4}");
}
