using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Workflow.Azurite;

/// <summary>
/// The loopback ports of Azurite's three services: a setting the caller chooses, either <see cref="Default"/> (what
/// <c>UseDevelopmentStorage=true</c> points at) or <see cref="FreeLoopback"/>. <see cref="AzuriteProcess.StartAsync"/>
/// refuses ports that another program already listens on; it never adopts a server it did not start.
/// </summary>
public sealed record AzuritePorts
{
    /// <summary>Three distinct TCP ports.</summary>
    /// <param name="blob">The blob service port.</param>
    /// <param name="queue">The queue service port.</param>
    /// <param name="table">The table service port.</param>
    /// <exception cref="ArgumentOutOfRangeException">A port is not in 1-65535.</exception>
    /// <exception cref="ArgumentException">Two services were given the same port.</exception>
    public AzuritePorts(int blob, int queue, int table)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blob, IPEndPoint.MinPort + 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(blob, IPEndPoint.MaxPort);
        ArgumentOutOfRangeException.ThrowIfLessThan(queue, IPEndPoint.MinPort + 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(queue, IPEndPoint.MaxPort);
        ArgumentOutOfRangeException.ThrowIfLessThan(table, IPEndPoint.MinPort + 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(table, IPEndPoint.MaxPort);
        if (blob == queue || blob == table || queue == table)
        {
            throw new ArgumentException($"Azurite's blob, queue and table services need three different ports, not {blob}, {queue} and {table}.");
        }

        Blob = blob;
        Queue = queue;
        Table = table;
    }

    /// <summary>Azurite's own defaults, 10000 (blob), 10001 (queue) and 10002 (table), which <c>UseDevelopmentStorage=true</c> points at.</summary>
    public static AzuritePorts Default { get; } = new(10000, 10001, 10002);

    /// <summary>The blob service port.</summary>
    public int Blob { get; }

    /// <summary>The queue service port.</summary>
    public int Queue { get; }

    /// <summary>The table service port.</summary>
    public int Table { get; }

    /// <summary>Blob, queue and table, in that order.</summary>
    public IReadOnlyList<int> All => [Blob, Queue, Table];

    /// <summary>
    /// Three distinct ports that are free on 127.0.0.1 right now, chosen by the operating system. Another program
    /// may still take one before Azurite binds it; <see cref="AzuriteProcess.StartAsync"/> then fails with
    /// <see cref="AzuritePortsInUseException"/>, and the caller may pick new ones and start again.
    /// </summary>
    public static AzuritePorts FreeLoopback()
    {
        // All three are held at once, so that the operating system hands out three different ports.
        var listeners = new List<TcpListener>(3);
        try
        {
            for (int i = 0; i < 3; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listeners.Add(listener);
                listener.Start();
            }

            return new(Port(listeners[0]), Port(listeners[1]), Port(listeners[2]));
        }
        finally
        {
            foreach (TcpListener listener in listeners)
            {
                listener.Dispose();
            }
        }
    }

    /// <summary>Splits into blob, queue and table.</summary>
    /// <param name="blob">The blob service port.</param>
    /// <param name="queue">The queue service port.</param>
    /// <param name="table">The table service port.</param>
    public void Deconstruct(out int blob, out int queue, out int table) => (blob, queue, table) = (Blob, Queue, Table);

    /// <summary>For messages: "blob 10000, queue 10001, table 10002".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"blob {Blob}, queue {Queue}, table {Table}");

    /// <summary>The service that listens on <paramref name="port"/>: "blob", "queue" or "table".</summary>
    internal string ServiceOf(int port) => port == Blob ? "blob" : port == Queue ? "queue" : port == Table ? "table" : "none";

    private static int Port(TcpListener listener) => ((IPEndPoint)listener.LocalEndpoint).Port;
}
