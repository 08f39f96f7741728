using System.Net;
using System.Net.Sockets;
using System.Text;
using Workflow.Azurite;

namespace Workflow.Benchmarks;

/// <summary>
/// A counting reverse proxy in front of Azurite, for storage clients in another process (the Functions host and its
/// worker): one plain TCP relay per service (blob, queue, table) on a free loopback port that copies bytes both ways
/// unchanged and reads the HTTP/1.1 requests going up as they pass, counting each one (retries included, as each is a
/// request of its own) into <see cref="Counts"/> by task hub and kind. Nothing is recorded or buffered beyond one
/// request head. The client gets <see cref="ConnectionString"/>: Azurite's, with the proxy's ports.
/// </summary>
/// <remarks>
/// The request stream is followed by its framing: the head up to the empty line, then <c>Content-Length</c> bytes or
/// a chunked body. A stream it cannot follow (not HTTP/1.1) is still relayed, and counted in
/// <see cref="UnparsedConnections"/>. Requests are counted when their head has passed, whatever the answer.
/// </remarks>
internal sealed class CountingStorageProxy : IAsyncDisposable
{
    private const int MaxHeadBytes = 64 * 1024;
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Relay> _relays;
    private readonly List<Task> _accepting = [];
    private readonly Lock _gate = new();
    private readonly HashSet<Socket> _open = [];
    private readonly List<Task> _pumps = [];
    private int _unparsed;

    private CountingStorageProxy(List<Relay> relays, string connectionString)
    {
        _relays = relays;
        ConnectionString = connectionString;
    }

    /// <summary>The requests that went through, by hub and kind.</summary>
    public RequestCounts Counts { get; } = new();

    /// <summary>The storage connection string through the proxy (same account and key as Azurite's).</summary>
    public string ConnectionString { get; }

    /// <summary>Connections whose request stream could not be followed as HTTP/1.1 (relayed, not all counted).</summary>
    public int UnparsedConnections => Volatile.Read(ref _unparsed);

    /// <summary>Starts one relay per service of <paramref name="azurite"/>, each on a free loopback port.</summary>
    public static CountingStorageProxy Start(AzuritePorts azurite, string azuriteConnectionString)
    {
        ArgumentNullException.ThrowIfNull(azurite);
        var relays = new List<Relay> { new("blob", azurite.Blob), new("queue", azurite.Queue), new("table", azurite.Table) };
        string connectionString = azuriteConnectionString;
        foreach (Relay relay in relays)
        {
            string from = $"127.0.0.1:{relay.UpstreamPort}/";
            if (!connectionString.Contains(from, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"Azurite's connection string does not name its {relay.Service} endpoint 127.0.0.1:{relay.UpstreamPort}.");
            }

            connectionString = connectionString.Replace(from, $"127.0.0.1:{relay.Port}/", StringComparison.Ordinal);
        }

        var proxy = new CountingStorageProxy(relays, connectionString);
        foreach (Relay relay in relays)
        {
            proxy._accepting.Add(Task.Run(() => proxy.AcceptAsync(relay)));
        }

        return proxy;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (Relay relay in _relays)
        {
            relay.Listener.Stop();
        }

        Task[] pending;
        lock (_gate)
        {
            foreach (Socket socket in _open)
            {
                socket.Dispose();
            }

            pending = [.. _accepting, .. _pumps];
        }

        await Task.WhenAny(Task.WhenAll(pending), Task.Delay(StopTimeout)).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptAsync(Relay relay)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await relay.Listener.AcceptSocketAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_gate)
            {
                _pumps.RemoveAll(t => t.IsCompleted);
                _pumps.Add(Task.Run(() => RelayAsync(relay, client)));
            }
        }
    }

    private async Task RelayAsync(Relay relay, Socket client)
    {
        using var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using Socket downstream = client;
        downstream.NoDelay = true;
        lock (_gate)
        {
            _open.Add(upstream);
            _open.Add(downstream);
        }

        try
        {
            await upstream.ConnectAsync(new IPEndPoint(IPAddress.Loopback, relay.UpstreamPort), _stopping.Token).ConfigureAwait(false);
            var parser = new RequestStream(relay.Service, Counts);
            await Task.WhenAll(PumpAsync(downstream, upstream, parser), PumpAsync(upstream, downstream, null)).ConfigureAwait(false);
            if (parser.Failed)
            {
                Interlocked.Increment(ref _unparsed);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The proxy or one side stopped.
        }
        finally
        {
            lock (_gate)
            {
                _open.Remove(upstream);
                _open.Remove(downstream);
            }
        }
    }

    private async Task PumpAsync(Socket from, Socket to, RequestStream? requests)
    {
        byte[] buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int read = await from.ReceiveAsync(buffer, SocketFlags.None, _stopping.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                requests?.Feed(buffer.AsSpan(0, read));
                for (int sent = 0; sent < read;)
                {
                    sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, _stopping.Token).ConfigureAwait(false);
                }
            }

            // The end of this direction goes on, as the peer would have seen it without the proxy.
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            to.Close();
            from.Close();
        }
    }

    private sealed class Relay
    {
        public Relay(string service, int upstreamPort)
        {
            Service = service;
            UpstreamPort = upstreamPort;
            Listener = new TcpListener(IPAddress.Loopback, 0);
            Listener.Start(512);
            Port = ((IPEndPoint)Listener.LocalEndpoint).Port;
        }

        public string Service { get; }

        public int UpstreamPort { get; }

        public int Port { get; }

        public TcpListener Listener { get; }
    }

    /// <summary>Follows one connection's request stream (HTTP/1.1 framing) and counts each request once its head has passed.</summary>
    internal sealed class RequestStream(string service, RequestCounts counts)
    {
        private enum State
        {
            Head,
            Body,
            ChunkSize,
            ChunkData,
            ChunkDataEnd,
            Trailer,
            Failed,
        }

        private readonly List<byte> _line = [];
        private State _state = State.Head;
        private long _remaining;

        public bool Failed => _state == State.Failed;

        public void Feed(ReadOnlySpan<byte> data)
        {
            while (data.Length > 0 && _state != State.Failed)
            {
                switch (_state)
                {
                    case State.Head:
                        data = ReadHead(data);
                        break;
                    case State.Body or State.ChunkData:
                        int skip = (int)Math.Min(_remaining, data.Length);
                        data = data[skip..];
                        _remaining -= skip;
                        if (_remaining == 0)
                        {
                            _state = _state == State.Body ? State.Head : State.ChunkDataEnd;
                            _remaining = 2;
                        }

                        break;
                    case State.ChunkDataEnd:
                        int crlf = (int)Math.Min(_remaining, data.Length);
                        data = data[crlf..];
                        _remaining -= crlf;
                        if (_remaining == 0)
                        {
                            _state = State.ChunkSize;
                        }

                        break;
                    case State.ChunkSize or State.Trailer:
                        data = ReadLine(data, out string? line);
                        if (line is null)
                        {
                            break;
                        }

                        if (_state == State.Trailer)
                        {
                            _state = line.Length == 0 ? State.Head : State.Trailer;
                        }
                        else if (long.TryParse(line.Split(';')[0].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out long size) && size >= 0)
                        {
                            _state = size == 0 ? State.Trailer : State.ChunkData;
                            _remaining = size;
                        }
                        else
                        {
                            _state = State.Failed;
                        }

                        break;
                }
            }
        }

        private ReadOnlySpan<byte> ReadLine(ReadOnlySpan<byte> data, out string? line)
        {
            int end = data.IndexOf((byte)'\n');
            if (end < 0)
            {
                Append(data);
                line = null;
                return [];
            }

            Append(data[..end]);
            line = Encoding.Latin1.GetString([.. _line]).TrimEnd('\r');
            _line.Clear();
            return data[(end + 1)..];
        }

        private ReadOnlySpan<byte> ReadHead(ReadOnlySpan<byte> data)
        {
            // The head ends with an empty line: look for it across reads.
            for (int i = 0; i < data.Length; i++)
            {
                _line.Add(data[i]);
                int n = _line.Count;
                if (n >= 4 && _line[n - 1] == '\n' && _line[n - 2] == '\r' && _line[n - 3] == '\n' && _line[n - 4] == '\r')
                {
                    string head = Encoding.Latin1.GetString([.. _line]);
                    _line.Clear();
                    OnHead(head);
                    return data[(i + 1)..];
                }

                if (n > MaxHeadBytes)
                {
                    _state = State.Failed;
                    return [];
                }
            }

            return [];
        }

        private void OnHead(string head)
        {
            string[] lines = head.Split("\r\n");
            string[] start = lines[0].Split(' ');
            if (start.Length != 3 || !start[2].StartsWith("HTTP/1.", StringComparison.Ordinal) || !Uri.TryCreate(new Uri("http://storage/"), start[1], out Uri? uri))
            {
                _state = State.Failed;
                return;
            }

            counts.Count(service, start[0], uri);
            long length = 0;
            bool chunked = false;
            foreach (string header in lines.Skip(1))
            {
                int colon = header.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0)
                {
                    continue;
                }

                string name = header[..colon].Trim();
                string value = header[(colon + 1)..].Trim();
                if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) && !long.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out length))
                {
                    _state = State.Failed;
                    return;
                }

                chunked |= name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && value.Contains("chunked", StringComparison.OrdinalIgnoreCase);
            }

            (_state, _remaining) = chunked ? (State.ChunkSize, 0L) : length > 0 ? (State.Body, length) : (State.Head, 0L);
        }

        private void Append(ReadOnlySpan<byte> data)
        {
            if (_line.Count + data.Length > MaxHeadBytes)
            {
                _state = State.Failed;
                return;
            }

            foreach (byte b in data)
            {
                _line.Add(b);
            }
        }
    }
}
