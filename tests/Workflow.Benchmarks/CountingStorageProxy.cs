using System.Text;
using Workflow.Azurite;
using Workflow.Testing;

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

    private readonly List<LoopbackRelay> _relays = [];
    private int _unparsed;

    private CountingStorageProxy()
    {
    }

    /// <summary>The requests that went through, by hub and kind.</summary>
    public RequestCounts Counts { get; } = new();

    /// <summary>The storage connection string through the proxy (same account and key as Azurite's).</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    /// <summary>Connections whose request stream could not be followed as HTTP/1.1 (relayed, not all counted).</summary>
    public int UnparsedConnections => Volatile.Read(ref _unparsed);

    /// <summary>Starts one relay per service of <paramref name="azurite"/>, each on a free loopback port.</summary>
    public static CountingStorageProxy Start(AzuritePorts azurite, string azuriteConnectionString)
    {
        ArgumentNullException.ThrowIfNull(azurite);
        ArgumentNullException.ThrowIfNull(azuriteConnectionString);
        (string Service, int Port)[] services = [("blob", azurite.Blob), ("queue", azurite.Queue), ("table", azurite.Table)];
        foreach ((string service, int port) in services)
        {
            if (!azuriteConnectionString.Contains($"127.0.0.1:{port}/", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"Azurite's connection string does not name its {service} endpoint 127.0.0.1:{port}.");
            }
        }

        var proxy = new CountingStorageProxy();
        string connectionString = azuriteConnectionString;
        foreach ((string service, int port) in services)
        {
            LoopbackRelay relay = LoopbackRelay.Start(port, () => new RequestStream(service, proxy.Counts, proxy.OnUnparsed));
            proxy._relays.Add(relay);
            connectionString = connectionString.Replace($"127.0.0.1:{port}/", $"127.0.0.1:{relay.Port}/", StringComparison.Ordinal);
        }

        proxy.ConnectionString = connectionString;
        return proxy;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (LoopbackRelay relay in _relays)
        {
            await relay.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void OnUnparsed() => Interlocked.Increment(ref _unparsed);

    /// <summary>
    /// Follows one connection's request stream (HTTP/1.1 framing) and counts each request once its head has passed;
    /// at the end of a connection it could not follow, calls <paramref name="unparsed"/>.
    /// </summary>
    internal sealed class RequestStream(string service, RequestCounts counts, Action unparsed) : IRelayObserver
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

        public void OnUpstream(ReadOnlySpan<byte> chunk) => Feed(chunk);

        public void OnDownstream(ReadOnlySpan<byte> chunk)
        {
            // Only requests count.
        }

        public void OnClosed()
        {
            if (Failed)
            {
                unparsed();
            }
        }

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
