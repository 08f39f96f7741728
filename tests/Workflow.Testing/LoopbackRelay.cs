using System.Net;
using System.Net.Sockets;

namespace Workflow.Testing;

/// <summary>
/// A plain TCP relay on a free loopback port in front of a port on loopback: it copies bytes both ways unchanged and
/// shows every chunk, as it passes, to an observer of that connection. What stands in front of Azurite to watch another
/// process's storage clients (the secrets scan's tap, the benchmark's counting proxy) is built on it.
/// </summary>
public sealed class LoopbackRelay : IAsyncDisposable
{
    // Bounds on the loops, far above what a test or a benchmark run makes (thousands of connections, millions of reads).
    private const int MaxConnections = 1_000_000;
    private const int MaxReadsPerDirection = 10_000_000;
    private const int Backlog = 512;
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly TcpListener _listener;
    private readonly Func<IRelayObserver> _observe;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly HashSet<Socket> _open = [];
    private readonly List<Task> _connections = [];
    private readonly Task _accepting;

    private LoopbackRelay(int upstreamPort, Func<IRelayObserver> observe)
    {
        UpstreamPort = upstreamPort;
        _observe = observe;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start(Backlog);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = Task.Run(AcceptAsync);
    }

    /// <summary>The relay's own port (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>The port it relays to (127.0.0.1).</summary>
    public int UpstreamPort { get; }

    /// <summary>Starts a relay to <paramref name="upstreamPort"/>; <paramref name="observe"/> gives each new connection its observer.</summary>
    public static LoopbackRelay Start(int upstreamPort, Func<IRelayObserver> observe)
    {
        ArgumentNullException.ThrowIfNull(observe);
        return new LoopbackRelay(upstreamPort, observe);
    }

    /// <summary>Stops accepting, closes every connection and waits (bounded) for the relay's tasks.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        Task[] pending;
        lock (_gate)
        {
            foreach (Socket socket in _open)
            {
                socket.Dispose();
            }

            pending = [_accepting, .. _connections];
        }

        await Task.WhenAny(Task.WhenAll(pending), Task.Delay(StopTimeout)).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        for (int accepted = 0; accepted < MaxConnections && !_stopping.IsCancellationRequested; accepted++)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_gate)
            {
                _connections.RemoveAll(t => t.IsCompleted);
                _connections.Add(Task.Run(() => RelayAsync(client)));
            }
        }
    }

    private async Task RelayAsync(Socket client)
    {
        using var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using Socket downstream = client;
        downstream.NoDelay = true;
        lock (_gate)
        {
            _open.Add(upstream);
            _open.Add(downstream);
        }

        IRelayObserver observer = _observe();
        try
        {
            await upstream.ConnectAsync(new IPEndPoint(IPAddress.Loopback, UpstreamPort), _stopping.Token).ConfigureAwait(false);
            await Task.WhenAll(
                PumpAsync(downstream, upstream, observer.OnUpstream),
                PumpAsync(upstream, downstream, observer.OnDownstream)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The relay or one side stopped.
        }
        finally
        {
            lock (_gate)
            {
                _open.Remove(upstream);
                _open.Remove(downstream);
            }

            observer.OnClosed();
        }
    }

    private async Task PumpAsync(Socket from, Socket to, ChunkObserver observe)
    {
        byte[] buffer = new byte[64 * 1024];
        try
        {
            for (int reads = 0; reads < MaxReadsPerDirection; reads++)
            {
                int read = await from.ReceiveAsync(buffer, SocketFlags.None, _stopping.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                observe(buffer.AsSpan(0, read));
                for (int sent = 0; sent < read;)
                {
                    sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, _stopping.Token).ConfigureAwait(false);
                }
            }

            // The end of this direction goes on, as the peer would have seen it without the relay.
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            to.Close();
            from.Close();
        }
    }

    private delegate void ChunkObserver(ReadOnlySpan<byte> chunk);
}

/// <summary>What one connection through a <see cref="LoopbackRelay"/> shows: each chunk as it passes, then its end.</summary>
public interface IRelayObserver
{
    /// <summary>Bytes the client sent towards the upstream port.</summary>
    void OnUpstream(ReadOnlySpan<byte> chunk);

    /// <summary>Bytes the upstream port sent back to the client.</summary>
    void OnDownstream(ReadOnlySpan<byte> chunk);

    /// <summary>The connection is over (both directions, or the relay stopped).</summary>
    void OnClosed();
}
