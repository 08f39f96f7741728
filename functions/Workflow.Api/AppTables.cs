using Azure.Data.Tables;

namespace Workflow.Api;

/// <summary>
/// The app's own tables (PIN lockout, PIN round claims) on the engine's storage account, through one client: one
/// pipeline and one connection pool for both.
/// </summary>
internal sealed class AppTables(TableServiceClient service)
{
    public TableClient Get(string name) => service.GetTableClient(name);
}
