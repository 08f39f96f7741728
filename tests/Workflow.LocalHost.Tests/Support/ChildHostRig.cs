using System.Diagnostics;
using Azure.Data.Tables;
using Workflow.Testing;
using Workflow.VehicleSimulator;
using Workflow.VehicleSimulator.Control;
using Workflow.VehicleSimulator.State;

namespace Workflow.LocalHost.Tests.Support;

/// <summary>
/// What the child-process tests share: the shared Azurite, a task hub of their own, and a vehicle simulator in the test
/// process (so it survives the local hosts it serves and keeps the request log across their crashes). Every local host
/// it starts is stopped when it is disposed.
/// </summary>
internal sealed class ChildHostRig : IAsyncDisposable
{
    private readonly VehicleSimulatorServer _simulator;
    private readonly HttpClient _simulatorHttp;
    private readonly List<LocalHostProcess> _hosts = [];

    private ChildHostRig(AzuriteServer azurite, VehicleSimulatorServer simulator, string hubName, string functionKey, string dataProtectionKey)
    {
        Azurite = azurite;
        _simulator = simulator;
        _simulatorHttp = new HttpClient { BaseAddress = simulator.BaseAddress };
        Simulator = new VehicleSimulatorControlClient(_simulatorHttp);
        HubName = hubName;
        FunctionKey = functionKey;
        DataProtectionKey = dataProtectionKey;
    }

    public AzuriteServer Azurite { get; }

    public VehicleSimulatorControlClient Simulator { get; }

    public string HubName { get; }

    public string FunctionKey { get; }

    public string DataProtectionKey { get; }

    public static async Task<ChildHostRig> StartAsync(string hubPrefix)
    {
        AzuriteServer azurite = await AzuriteServer.Shared;
        VehicleSimulatorServer simulator = await VehicleSimulatorServer.StartAsync(new VehicleSimulatorOptions());
        return new ChildHostRig(azurite, simulator, TestIds.Hub(hubPrefix), TestIds.FunctionKey(), TestIds.DataProtectionKey());
    }

    /// <summary>The settings of a local host of this rig on <paramref name="port"/>: same hub, storage, keys and gateway for all.</summary>
    public LocalHostSettings Settings(int port, params IReadOnlyList<string> extra) => new()
    {
        StorageConnectionString = Azurite.ConnectionString,
        VehicleApi = _simulator.BaseAddress,
        HubName = HubName,
        FunctionKey = FunctionKey,
        DataProtectionKey = DataProtectionKey,
        Port = port,
        Extra = extra,
    };

    /// <summary>
    /// Starts a local host of this rig on a free port and waits until its API answers. A free port can be taken by
    /// another process between the choice and the bind: then it starts again on another one.
    /// </summary>
    public async Task<(LocalHostProcess Host, LocalHostSettings Settings)> StartNewHostAsync(params IReadOnlyList<string> extra)
    {
        for (int attempt = 1; ; attempt++)
        {
            LocalHostSettings settings = Settings(FreePort.Next(), extra);
            try
            {
                return (await StartHostAsync(settings), settings);
            }
            catch (InvalidOperationException ex) when (attempt < 3 && ex.Message.Contains($"127.0.0.1:{settings.Port}: address already in use", StringComparison.Ordinal))
            {
                // Taken meanwhile: choose again.
            }
        }
    }

    /// <summary>Starts a local host with these settings and waits until its API answers.</summary>
    public async Task<LocalHostProcess> StartHostAsync(LocalHostSettings settings)
    {
        LocalHostProcess host = LocalHostProcess.Start(settings.ToArguments(), settings.BaseAddress, settings.FunctionKey);
        lock (_hosts)
        {
            _hosts.Add(host);
        }

        await host.WaitUntilReadyAsync();
        return host;
    }

    /// <summary>kill -9 and wait until the process is gone.</summary>
    public static async Task KillAsync(LocalHostProcess host)
    {
        host.Kill();
        Assert.True(await host.WaitForExitAsync(TimeSpan.FromSeconds(30)), "The killed local host did not go away.");
        Assert.Equal(137, host.ExitCode);
    }

    /// <summary>The simulator's request log of every vehicle in <paramref name="vins"/>.</summary>
    public async Task<IReadOnlyList<RequestLogEntry>> RequestsAsync(IEnumerable<string> vins)
    {
        var all = new List<RequestLogEntry>();
        foreach (string vin in vins)
        {
            all.AddRange(await Simulator.GetRequestsAsync(vin));
        }

        return all;
    }

    /// <summary>The hub's control-queue partitions and who owns them (the engine's <c>&lt;hub&gt;Partitions</c> lease table).</summary>
    public async Task<IReadOnlyList<PartitionLease>> PartitionsAsync()
    {
        var table = new TableClient(Azurite.ConnectionString, HubName + "Partitions");
        var leases = new List<PartitionLease>();
        await foreach (TableEntity row in table.QueryAsync<TableEntity>())
        {
            leases.Add(new PartitionLease(row.RowKey, row.GetString("CurrentOwner"), row.GetString("NextOwner"), row.GetBoolean("IsDraining") ?? false));
        }

        return leases;
    }

    /// <summary>What every host printed, for failure messages.</summary>
    public string Outputs()
    {
        lock (_hosts)
        {
            return string.Join("\n", _hosts.Select((h, i) => $"--- local host #{i + 1} (pid {h.Id}) ---\n{Tail(h.Output)}"));
        }
    }

    public async ValueTask DisposeAsync()
    {
        LocalHostProcess[] hosts;
        lock (_hosts)
        {
            hosts = [.. _hosts];
        }

        foreach (LocalHostProcess host in hosts)
        {
            await host.DisposeAsync();
        }

        _simulatorHttp.Dispose();
        await _simulator.DisposeAsync();
    }

    private static string Tail(string text) => text.Length <= 20_000 ? text : "[…]\n" + text[^20_000..];
}

/// <summary>A control-queue partition's lease.</summary>
internal sealed record PartitionLease(string Partition, string? CurrentOwner, string? NextOwner, bool IsDraining)
{
    public bool IsSettled => !string.IsNullOrEmpty(CurrentOwner) && string.IsNullOrEmpty(NextOwner) && !IsDraining;
}

/// <summary>Elapsed time from a moment, for measurements the tests report.</summary>
internal static class Clock
{
    public static TimeSpan Since(long timestamp) => Stopwatch.GetElapsedTime(timestamp);
}
