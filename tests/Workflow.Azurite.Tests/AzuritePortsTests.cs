using System.Net;
using System.Net.Sockets;

namespace Workflow.Azurite.Tests;

public sealed class AzuritePortsTests
{
    [Fact]
    public void The_default_ports_are_Azurites_own()
    {
        Assert.Equal(new AzuritePorts(10000, 10001, 10002), AzuritePorts.Default);
        Assert.Equal([10000, 10001, 10002], AzuritePorts.Default.All);
        Assert.Equal("blob 10000, queue 10001, table 10002", AzuritePorts.Default.ToString());
    }

    [Fact]
    public async Task Free_loopback_ports_are_three_different_ports_that_nothing_listens_on_and_that_can_be_bound()
    {
        AzuritePorts ports = AzuritePorts.FreeLoopback();

        Assert.Equal(3, ports.All.Distinct().Count());
        foreach (int port in ports.All)
        {
            Assert.False(await LoopbackPort.IsListeningAsync(port, CancellationToken.None), $"{port} is taken");
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
        }
    }

    [Theory]
    [InlineData(0, 10001, 10002)]
    [InlineData(10000, 65536, 10002)]
    [InlineData(10000, 10001, -1)]
    public void Ports_outside_the_tcp_range_are_refused(int blob, int queue, int table) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new AzuritePorts(blob, queue, table));

    [Fact]
    public void Two_services_on_one_port_are_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new AzuritePorts(10000, 10001, 10000));

        Assert.Contains("three different ports", error.Message, StringComparison.Ordinal);
    }
}
