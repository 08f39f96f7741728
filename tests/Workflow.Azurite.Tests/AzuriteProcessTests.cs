using System.Net;
using System.Net.Sockets;
using Azure.Data.Tables;
using Microsoft.Extensions.Time.Testing;
using Workflow.Testing;

namespace Workflow.Azurite.Tests;

public sealed class AzuriteProcessTests : IDisposable
{
    private readonly DirectoryInfo _scripts = Directory.CreateTempSubdirectory("azurite-launcher-");

    public void Dispose() => _scripts.Delete(recursive: true);

    [Fact]
    public async Task Azurite_runs_in_node_itself_on_the_free_ports_it_was_given_and_frees_them_once_disposed()
    {
        string launcher = await Launcher();
        AzuritePorts ports = AzuritePorts.FreeLoopback();

        AzuriteProcess azurite = await AzuriteProcess.StartAsync(launcher, ports, TimeProvider.System, CancellationToken.None);
        await using (azurite)
        {
            Assert.Equal(ports, azurite.Ports);
            foreach (int port in ports.All)
            {
                Assert.True(await LoopbackPort.IsListeningAsync(port, CancellationToken.None), $"nothing listens on {port}");
                Assert.Contains($"successfully listening at http://127.0.0.1:{port}", azurite.Output, StringComparison.Ordinal);
            }

            // No shell, npx or npm in between: the process it holds is node running Azurite's script, so killing it frees the ports.
            string commandLine = ProcessTable.CommandLine(azurite.ProcessId);
            Assert.Equal("node", Path.GetFileName(commandLine.Split(' ')[0]));
            Assert.Contains(Path.Combine("azurite", "dist", "src", "azurite.js"), commandLine, StringComparison.Ordinal);
        }

        foreach (int port in ports.All)
        {
            Assert.False(await LoopbackPort.IsListeningAsync(port, CancellationToken.None), $"{port} is still taken");
        }
    }

    [Fact]
    public async Task The_connection_string_reaches_the_table_service_of_this_Azurite()
    {
        AzuritePorts ports = AzuritePorts.FreeLoopback();
        await using AzuriteProcess azurite = await AzuriteProcess.StartAsync(await Launcher(), ports, TimeProvider.System, CancellationToken.None);
        var table = new TableClient(azurite.ConnectionString, "roundtrip");

        await table.CreateIfNotExistsAsync();
        await table.AddEntityAsync(new TableEntity("vehicle", "1") { ["Command"] = "lock" });
        TableEntity read = (await table.GetEntityAsync<TableEntity>("vehicle", "1")).Value;

        Assert.Equal("lock", read.GetString("Command"));
        Assert.Contains("AccountName=devstoreaccount1;", azurite.ConnectionString, StringComparison.Ordinal);
        Assert.Contains($"BlobEndpoint=http://127.0.0.1:{ports.Blob}/devstoreaccount1;", azurite.ConnectionString, StringComparison.Ordinal);
        Assert.Contains($"QueueEndpoint=http://127.0.0.1:{ports.Queue}/devstoreaccount1;", azurite.ConnectionString, StringComparison.Ordinal);
        Assert.Contains($"TableEndpoint=http://127.0.0.1:{ports.Table}/devstoreaccount1;", azurite.ConnectionString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_another_program_listens_on_is_refused_with_the_port_named_and_nothing_is_started()
    {
        string launcher = await Launcher();
        using var other = new TcpListener(IPAddress.Loopback, 0);
        other.Start();
        int taken = ((IPEndPoint)other.LocalEndpoint).Port;
        AzuritePorts free = AzuritePorts.FreeLoopback();
        var ports = new AzuritePorts(free.Blob, taken, free.Table);

        var error = await Assert.ThrowsAsync<AzuritePortsInUseException>(() => AzuriteProcess.StartAsync(launcher, ports, TimeProvider.System, CancellationToken.None));

        Assert.Equal([taken], error.TakenPorts);
        Assert.Equal(ports, error.Ports);
        Assert.Contains($"127.0.0.1:{taken} (queue) is already in use by another program", error.Message, StringComparison.Ordinal);
        Assert.Contains("Stop the program that listens there", error.Message, StringComparison.Ordinal);
        Assert.Contains("configure other Azurite ports", error.Message, StringComparison.Ordinal);
        Assert.Contains("set the storage connection string to your own Azurite", error.Message, StringComparison.Ordinal);
        Assert.False(await LoopbackPort.IsListeningAsync(free.Blob, CancellationToken.None), "Azurite was started anyway");
        Assert.False(await LoopbackPort.IsListeningAsync(free.Table, CancellationToken.None), "Azurite was started anyway");
    }

    [Fact]
    public async Task Every_taken_port_is_named()
    {
        using var blob = new TcpListener(IPAddress.Loopback, 0);
        using var table = new TcpListener(IPAddress.Loopback, 0);
        blob.Start();
        table.Start();
        var ports = new AzuritePorts(((IPEndPoint)blob.LocalEndpoint).Port, AzuritePorts.FreeLoopback().Queue, ((IPEndPoint)table.LocalEndpoint).Port);

        var error = await Assert.ThrowsAsync<AzuritePortsInUseException>(async () => await AzuriteProcess.StartAsync(await Launcher(), ports, TimeProvider.System, CancellationToken.None));

        Assert.Equal([ports.Blob, ports.Table], error.TakenPorts);
        Assert.Contains($"127.0.0.1:{ports.Blob} (blob), 127.0.0.1:{ports.Table} (table) are already in use", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_taken_after_the_check_makes_Azurite_fail_with_the_port_named_rather_than_share_it()
    {
        // The local end of an outgoing connection holds its port without listening there, so it passes the check (nothing
        // answers on it) and Azurite's own bind then fails: the race a free port may lose between its choice and the start.
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        using var client = new TcpClient();
        await client.ConnectAsync((IPEndPoint)server.LocalEndpoint);
        using Socket accepted = await server.AcceptSocketAsync();
        int taken = ((IPEndPoint)client.Client.LocalEndPoint!).Port;
        Assert.False(await LoopbackPort.IsListeningAsync(taken, CancellationToken.None));
        AzuritePorts free = AzuritePorts.FreeLoopback();
        var ports = new AzuritePorts(free.Blob, free.Queue, taken);

        var error = await Assert.ThrowsAsync<AzuritePortsInUseException>(async () => await AzuriteProcess.StartAsync(await Launcher(), ports, TimeProvider.System, CancellationToken.None));

        Assert.Equal([taken], error.TakenPorts);
        Assert.Contains($"127.0.0.1:{taken} (table)", error.Message, StringComparison.Ordinal);
        foreach (int port in new[] { ports.Blob, ports.Queue })
        {
            await Eventually.TrueAsync(async () => !await LoopbackPort.IsListeningAsync(port, CancellationToken.None), $"the failed Azurite to free {port}", TimeSpan.FromSeconds(10));
        }
    }

    [Fact]
    public async Task A_launcher_that_exits_is_reported_with_what_it_printed_last()
    {
        string launcher = Script("console.log('starting'); console.error(\"Error: Cannot find module 'tslib'\"); process.exit(1);");
        AzuritePorts ports = AzuritePorts.FreeLoopback();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => AzuriteProcess.StartAsync(launcher, ports, TimeProvider.System, CancellationToken.None));

        Assert.StartsWith($"Azurite did not start listening on port {ports.Blob}. Its output:\n", error.Message, StringComparison.Ordinal);
        Assert.Contains("starting", error.Message, StringComparison.Ordinal);
        Assert.Contains("Cannot find module 'tslib'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_launcher_that_never_listens_is_given_a_minute_and_then_killed()
    {
        string pidFile = Path.Combine(_scripts.FullName, "pid");
        string launcher = Script($"require('fs').writeFileSync({System.Text.Json.JsonSerializer.Serialize(pidFile)}, String(process.pid)); console.log('waiting'); setTimeout(() => {{}}, 300000);");
        var time = new FakeTimeProvider();

        Task<AzuriteProcess> start = AzuriteProcess.StartAsync(launcher, AzuritePorts.FreeLoopback(), time, CancellationToken.None);
        await Eventually.TrueAsync(() => Task.FromResult(File.Exists(pidFile) && File.ReadAllText(pidFile).Trim().Length > 0), "the launcher to start", TimeSpan.FromSeconds(30));
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.False(start.IsCompleted);
        for (int second = 0; second < 120 && !start.IsCompleted; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(10);
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => start);
        Assert.Contains("did not start listening", error.Message, StringComparison.Ordinal);
        Assert.Contains("waiting", error.Message, StringComparison.Ordinal);
        int pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        await Eventually.TrueAsync(() => Task.FromResult(!ProcessTable.IsRunning(pid)), "the launcher to be killed", TimeSpan.FromSeconds(10));
    }

    private static Task<string> Launcher() => AzuriteInstallation.EnsureInstalledAsync(RepositoryPaths.Root, installing: null, CancellationToken.None);

    /// <summary>A stand-in for Azurite's script, which node runs.</summary>
    private string Script(string body)
    {
        string path = Path.Combine(_scripts.FullName, "azurite.js");
        File.WriteAllText(path, body + "\n");
        return path;
    }
}
