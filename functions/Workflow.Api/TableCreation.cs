using Azure.Data.Tables;

namespace Workflow.Api;

/// <summary>
/// Creates one of the app's own tables once per process, the first time it is used, as the engine does its own; a
/// creation that failed is tried again by the next use.
/// </summary>
internal sealed class TableCreation(TableClient table)
{
    private Task? _creation;

    public Task EnsureAsync(CancellationToken cancellationToken)
    {
        Task? creation = _creation;
        if (creation is null || creation.IsFaulted || creation.IsCanceled)
        {
            creation = table.CreateIfNotExistsAsync(cancellationToken);
            _creation = creation;
        }

        return creation.WaitAsync(cancellationToken);
    }
}
