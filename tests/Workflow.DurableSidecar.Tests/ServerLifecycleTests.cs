using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Azure.Data.Tables;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker.Grpc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Workflow.Testing;

namespace Workflow.DurableSidecar.Tests;

public sealed class ServerLifecycleTests
{
    // What StopAsync promises: its stop timeout, plus a few seconds to abandon what is in flight and stop the engine.
    private static TimeSpan StopBound(TimeSpan stopTimeout) => stopTimeout + TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Port_0_binds_a_free_loopback_port_and_reports_it()
    {
        AzuriteServer azurite = await AzuriteServer.Shared;
        await using DurableSidecarServer server = await DurableSidecarServer.StartAsync(
            new DurableSidecarOptions { StorageConnectionString = azurite.ConnectionString, HubName = SidecarEnvironment.NewHubName(), LoggerFactory = new LogCollector() },
            CancellationToken.None);

        Assert.Equal("http", server.Address.Scheme);
        Assert.Equal(IPAddress.Loopback.ToString(), server.Address.Host);
        Assert.NotEqual(0, server.Address.Port);
    }

    [Fact]
    public async Task Starting_on_a_port_already_in_use_fails_with_a_message_naming_the_port()
    {
        AzuriteServer azurite = await AzuriteServer.Shared;
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        int port = ((IPEndPoint)occupant.LocalEndpoint).Port;

        IOException refused = await Assert.ThrowsAsync<IOException>(() => DurableSidecarServer.StartAsync(
            new DurableSidecarOptions { StorageConnectionString = azurite.ConnectionString, HubName = SidecarEnvironment.NewHubName(), Port = port, LoggerFactory = new LogCollector() },
            CancellationToken.None));

        Assert.Contains($"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", refused.Message, StringComparison.Ordinal);
        Assert.Contains("already in use", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_hub_name_is_refused_before_anything_starts()
    {
        ArgumentException refused = await Assert.ThrowsAsync<ArgumentException>(() => DurableSidecarServer.StartAsync(
            new DurableSidecarOptions { StorageConnectionString = "UseDevelopmentStorage=true", HubName = "1-bad_hub" },
            CancellationToken.None));
        Assert.Contains("1-bad_hub", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StopAsync_returns_within_its_bound_releases_the_partitions_and_a_new_server_on_the_same_hub_works()
    {
        string hub = SidecarEnvironment.NewHubName();
        var stopTimeout = TimeSpan.FromSeconds(10);
        await using (SidecarEnvironment first = await SidecarEnvironment.StartAsync(hub, stopTimeout: stopTimeout))
        {
            string id = await first.Client.ScheduleNewOrchestrationInstanceAsync(TestTasks.Greet, "first");
            Assert.Equal(OrchestrationRuntimeStatus.Completed, (await first.WaitForFinishAsync(id)).RuntimeStatus);

            await first.Server.StopAsync(CancellationToken.None).WaitAsync(StopBound(stopTimeout));

            Assert.True(first.Server.Gate.StoppedBySidecar, $"the sidecar did not stop the engine itself. Logs:\n{first.Logs.Dump()}");
            await AssertNoPartitionOwnedAsync(hub);
        }

        // Another worker id: if the first engine still held its partitions, this one could not get them before they expire.
        await using SidecarEnvironment second = await SidecarEnvironment.StartAsync(hub, workerId: "second-" + Guid.NewGuid().ToString("N"));
        string again = await second.Client.ScheduleNewOrchestrationInstanceAsync(TestTasks.Greet, "second");
        OrchestrationMetadata done = await second.WaitForFinishAsync(again);
        Assert.Equal("Hello, second!", done.ReadOutputAs<string>());
    }

    [Fact]
    public async Task StopAsync_with_an_activity_stuck_in_the_worker_abandons_it_within_the_bound_and_a_restart_runs_it_again()
    {
        string hub = SidecarEnvironment.NewHubName();
        string id = "stuck-" + Guid.NewGuid().ToString("N");
        var stopTimeout = TimeSpan.FromSeconds(2);
        TestTasks.BlockGate gate = TestTasks.HoldBlock(id);
        await using (SidecarEnvironment first = await SidecarEnvironment.StartAsync(hub, stopTimeout: stopTimeout))
        {
            await first.Client.ScheduleNewOrchestrationInstanceAsync(TestTasks.Blocking, "stuck", new StartOrchestrationOptions(id));
            await gate.Started.Task.WaitAsync(Eventually.DefaultTimeout);

            await first.Server.StopAsync(CancellationToken.None).WaitAsync(StopBound(stopTimeout));

            // The sidecar's dispatchers drained and it stopped the engine itself: nothing of it is left waiting.
            Assert.True(first.Server.Gate.StoppedBySidecar, $"the engine had to be stopped behind the sidecar's back. Logs:\n{first.Logs.Dump()}");
            Assert.Equal(0, first.Server.Gate.OutstandingCount);
            Assert.True(first.Logs.Contains("abandoning them"), first.Logs.Dump());
            await AssertNoPartitionOwnedAsync(hub);

            // Let the worker's copy of the activity end so that its host stops; its late answer finds nothing to complete.
            gate.Release.TrySetResult();
        }

        // The abandoned activity message is visible again: a new server runs it (this time the gate is open) to completion.
        await using SidecarEnvironment second = await SidecarEnvironment.StartAsync(hub);
        OrchestrationMetadata done = await second.WaitForFinishAsync(id);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal("done:stuck", done.ReadOutputAs<string>());
    }

    [Fact]
    public async Task The_worker_registered_for_the_sidecar_never_drops_its_stream_for_want_of_health_pings()
    {
        AzuriteServer azurite = await AzuriteServer.Shared;
        await using DurableSidecarServer server = await DurableSidecarServer.StartAsync(
            new DurableSidecarOptions { StorageConnectionString = azurite.ConnectionString, HubName = SidecarEnvironment.NewHubName(), LoggerFactory = new LogCollector() },
            CancellationToken.None);
        using var channel = server.CreateChannel();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDurableTaskOnSidecar(channel, TestTasks.Register);
        await using ServiceProvider provider = services.BuildServiceProvider();

        GrpcDurableTaskWorkerOptions options = provider.GetRequiredService<IOptionsMonitor<GrpcDurableTaskWorkerOptions>>().Get(Options.DefaultName);

        Assert.Same(channel, options.Channel);
        object internalOptions = typeof(GrpcDurableTaskWorkerOptions).GetProperty("Internal", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!.GetValue(options)!;
        var silentDisconnect = (TimeSpan)internalOptions.GetType().GetProperty("SilentDisconnectTimeout")!.GetValue(internalOptions)!;
        Assert.True(silentDisconnect <= TimeSpan.Zero, $"silent-disconnect timeout is {silentDisconnect}");
        Assert.NotNull(provider.GetRequiredService<DurableTaskClient>());
        Assert.Contains(provider.GetServices<IHostedService>(), s => s.GetType().Name.Contains("Worker", StringComparison.Ordinal));
    }

    private static async Task AssertNoPartitionOwnedAsync(string hub)
    {
        AzuriteServer azurite = await AzuriteServer.Shared;
        var table = new TableClient(azurite.ConnectionString, hub + "Partitions");
        List<TableEntity> partitions = [];
        await foreach (TableEntity partition in table.QueryAsync<TableEntity>())
        {
            partitions.Add(partition);
        }

        Assert.NotEmpty(partitions);
        Assert.All(partitions, p => Assert.True(
            string.IsNullOrEmpty(p.GetString("CurrentOwner")),
            $"partition {p.RowKey} is still owned by {p.GetString("CurrentOwner")}"));
    }
}
