using Azure.Data.Tables;
using Workflow.Testing;
using Workflow.LocalHost.Tests.Support;
using Workflow.VehicleSimulator;
using Workflow.VehicleSimulator.Control;

namespace Workflow.LocalHost.Tests;

/// <summary>
/// The local host in-process (<see cref="LocalHostApp.StartAsync"/>): on the shared Azurite with a task hub of its own,
/// talking to a vehicle simulator of its own on a free port, its API on a free port with a random function key.
/// </summary>
public class LocalHostFixture : IAsyncLifetime, IDisposable
{
    private VehicleSimulatorServer? _simulator;
    private HttpClient? _simulatorHttp;
    private CommandsClient? _api;
    private CommandsClient? _anonymous;
    private LocalHostApp? _app;

    /// <summary>The running app.</summary>
    public LocalHostApp App => _app ?? throw new InvalidOperationException("Not started.");

    internal LocalHostSettings Settings { get; private set; } = null!;

    internal AzuriteServer Azurite { get; private set; } = null!;

    /// <summary>The product API with the function key.</summary>
    internal CommandsClient Api => _api!;

    /// <summary>The product API without a key.</summary>
    internal CommandsClient Anonymous => _anonymous!;

    internal VehicleSimulatorControlClient Simulator { get; private set; } = null!;

    /// <summary>The PIN every simulated vehicle has unless a test sets another.</summary>
    internal static string DefaultPin => new VehicleSimulatorOptions().DefaultPin;

    /// <summary>Settings beyond the common ones (a short PIN timeout, say).</summary>
    protected virtual IReadOnlyList<string> ExtraArguments => [];

    public async Task InitializeAsync()
    {
        Azurite = await AzuriteServer.Shared;
        _simulator = await VehicleSimulatorServer.StartAsync(new VehicleSimulatorOptions());
        _simulatorHttp = new HttpClient { BaseAddress = _simulator.BaseAddress };
        Simulator = new VehicleSimulatorControlClient(_simulatorHttp);
        Settings = LocalHostSettings.New(Azurite.ConnectionString, _simulator.BaseAddress, "LocalHostTests", port: 0, ["--Logging:LogLevel:Default=Warning", .. ExtraArguments]);
        _app = await LocalHostApp.StartAsync(Settings.ToArguments());
        _api = new CommandsClient(_app.BaseAddress, Settings.FunctionKey);
        _anonymous = new CommandsClient(_app.BaseAddress, functionKey: null);
    }

    /// <summary>How many instances the hub holds (its Instances table).</summary>
    internal async Task<int> CountInstancesAsync()
    {
        var table = new TableClient(Azurite.ConnectionString, Settings.HubName + "Instances");
        int count = 0;
        await foreach (TableEntity _ in table.QueryAsync<TableEntity>(select: ["PartitionKey"]))
        {
            count++;
        }

        return count;
    }

    /// <summary>The event types in the command's history (its History table rows).</summary>
    internal async Task<IReadOnlyList<string>> HistoryEventTypesAsync(string instanceId)
    {
        var table = new TableClient(Azurite.ConnectionString, Settings.HubName + "History");
        var types = new List<string>();
        await foreach (TableEntity row in table.QueryAsync<TableEntity>(e => e.PartitionKey == instanceId))
        {
            if (row.GetString("EventType") is { } type)
            {
                types.Add(type);
            }
        }

        return types;
    }

    public void Dispose()
    {
        _api?.Dispose();
        _anonymous?.Dispose();
        _simulatorHttp?.Dispose();
        GC.SuppressFinalize(this);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        if (_simulator is not null)
        {
            await _simulator.DisposeAsync();
        }
    }
}

/// <summary>The in-process local host shared by the API test classes (they run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class LocalHostApiTests : ICollectionFixture<LocalHostFixture>
{
    public const string Name = "In-process local host";
}
