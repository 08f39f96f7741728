using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Web;
using System.Xml.Linq;
using Workflow.Testing;

namespace Workflow.Functions.Tests.Support;

/// <summary>
/// A <see cref="LoopbackRelay"/> in front of each of Azurite's three services (blob, queue, table) that records every
/// byte in both directions, so a test sees everything the Functions host and its worker ever sent to storage or read from it: also
/// what a scan of the account at the end cannot show any more (queue messages processed and deleted, entities replaced)
/// or not yet (durable timers, invisible until due). It only copies bytes; the host talks to it with a connection string
/// like any other (<see cref="ConnectionString"/>). Storage runs on plain HTTP/1.1 here, so the bytes are readable.
/// </summary>
internal sealed class StorageWireTap : IAsyncDisposable
{
    /// <summary>Above this much recorded traffic the tap stops recording (and says so): a bound on the test's memory.</summary>
    public const long MaxRecordedBytes = 512L * 1024 * 1024;

    private readonly List<LoopbackRelay> _relays = [];
    private readonly ConcurrentQueue<RecordedConnection> _connections = new();
    private long _recordedBytes;
    private int _overflowed;
    private int _nextConnection;

    private StorageWireTap()
    {
    }

    /// <summary>The storage connection string that goes through the tap (same account and key as Azurite's).</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    /// <summary>Whether traffic went unrecorded because of <see cref="MaxRecordedBytes"/>.</summary>
    public bool Overflowed => Volatile.Read(ref _overflowed) != 0;

    /// <summary>Starts a relay on a free loopback port for each of <paramref name="azurite"/>'s services.</summary>
    public static StorageWireTap Start(AzuriteServer azurite)
    {
        ArgumentNullException.ThrowIfNull(azurite);
        var ports = new Dictionary<string, int> { ["BlobEndpoint"] = azurite.BlobPort, ["QueueEndpoint"] = azurite.QueuePort, ["TableEndpoint"] = azurite.TablePort };
        string[] parts = azurite.ConnectionString.Split(';', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Count(p => ports.Keys.Any(k => p.StartsWith(k + "=", StringComparison.Ordinal))) != 3)
        {
            throw new InvalidOperationException($"Azurite's connection string does not name the three endpoints: {azurite.ConnectionString}");
        }

        var tap = new StorageWireTap();
        var relays = new Dictionary<string, LoopbackRelay>();
        foreach ((string endpoint, int port) in ports)
        {
            string service = endpoint.Replace("Endpoint", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
            relays[endpoint] = LoopbackRelay.Start(port, () => tap.Open(service));
            tap._relays.Add(relays[endpoint]);
        }

        tap.ConnectionString = string.Join(';', parts.Select(part =>
        {
            int equals = part.IndexOf('=', StringComparison.Ordinal);
            string name = part[..equals];
            return relays.TryGetValue(name, out LoopbackRelay? relay)
                ? $"{name}={new UriBuilder(part[(equals + 1)..]) { Port = relay.Port }.Uri.AbsoluteUri.TrimEnd('/')}"
                : part;
        })) + ";";
        return tap;
    }

    /// <summary>
    /// Everything recorded so far, parsed into HTTP requests and responses. Call it once the clients are gone (the host
    /// stopped): a connection still in use may end in a half-recorded message.
    /// </summary>
    public StorageTraffic Read()
    {
        var exchanges = new List<ScannedText>();
        var sent = new List<SentQueueMessage>();
        int requests = 0, responses = 0;
        var unparsed = new List<string>();
        foreach (RecordedConnection connection in _connections.OrderBy(c => c.Id))
        {
            (byte[] requestBytes, List<(long Offset, DateTimeOffset At)> requestMarks) = connection.Requests.Snapshot();
            (byte[] responseBytes, _) = connection.Responses.Snapshot();
            HttpStreamParser.Result parsedRequests = HttpStreamParser.Parse(requestBytes, requestMethods: null);
            HttpStreamParser.Result parsedResponses = HttpStreamParser.Parse(responseBytes, [.. parsedRequests.Messages.Select(m => m.StartLine.Split(' ')[0])]);
            string where = $"{connection.Service} connection {connection.Id.ToString(CultureInfo.InvariantCulture)}";
            foreach (HttpMessage request in parsedRequests.Messages)
            {
                requests++;
                DateTimeOffset at = requestMarks.LastOrDefault(m => m.Offset <= request.Offset, requestMarks.FirstOrDefault()).At;
                string requestWhere = $"{where}, request {request.StartLine[..Math.Min(request.StartLine.Length, 300)]}";
                exchanges.Add(new ScannedText(ScanSource.StorageTraffic, requestWhere, request.AsText()));
                if (SecretSearch.Gunzip(request.Body) is { } content)
                {
                    exchanges.Add(new ScannedText(ScanSource.StorageTraffic, requestWhere + " (gunzipped body)", SecretSearch.AsText(content)));
                }

                try
                {
                    if (SentQueueMessage.TryRead(request, at) is { } message)
                    {
                        sent.Add(message);
                    }
                }
                catch (System.Xml.XmlException ex)
                {
                    // A Put Message whose body is not the queue's XML: searched as text above, and a gap the test reports.
                    unparsed.Add($"{requestWhere}: the message body is not queue XML ({ex.Message})");
                }
            }

            int answered = 0;
            foreach (HttpMessage response in parsedResponses.Messages)
            {
                responses++;
                bool interim = response.StartLine.StartsWith("HTTP/1.1 1", StringComparison.Ordinal);
                string to = !interim && answered < parsedRequests.Messages.Count ? parsedRequests.Messages[answered++].StartLine : "?";
                string responseWhere = $"{where}, response {response.StartLine} to {to[..Math.Min(to.Length, 300)]}";
                exchanges.Add(new ScannedText(ScanSource.StorageTraffic, responseWhere, response.AsText()));
                if (SecretSearch.Gunzip(response.Body) is { } content)
                {
                    exchanges.Add(new ScannedText(ScanSource.StorageTraffic, responseWhere + " (gunzipped body)", SecretSearch.AsText(content)));
                }
            }

            foreach ((string direction, byte[]? rest) in new[] { ("requests", parsedRequests.Unparsed), ("responses", parsedResponses.Unparsed) })
            {
                if (rest is { Length: > 0 })
                {
                    // Still searched, as raw text; the test fails on it so that a parser gap cannot hide part of the traffic.
                    unparsed.Add($"{where}: {rest.Length} bytes of {direction} not parsed as HTTP/1.1");
                    exchanges.Add(new ScannedText(ScanSource.StorageTraffic, $"{where}, unparsed {direction}", SecretSearch.AsText(rest)));
                }
            }
        }

        return new StorageTraffic(exchanges, sent, _connections.Count, requests, responses, unparsed, Interlocked.Read(ref _recordedBytes));
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (LoopbackRelay relay in _relays)
        {
            await relay.DisposeAsync().ConfigureAwait(false);
        }
    }

    private RecordedConnection Open(string service)
    {
        var connection = new RecordedConnection(this, service, Interlocked.Increment(ref _nextConnection));
        _connections.Enqueue(connection);
        return connection;
    }

    private void Record(Recording recording, ReadOnlySpan<byte> chunk)
    {
        if (Interlocked.Add(ref _recordedBytes, chunk.Length) <= MaxRecordedBytes)
        {
            recording.Append(chunk);
        }
        else
        {
            Interlocked.Exchange(ref _overflowed, 1);
        }
    }

    private sealed class RecordedConnection(StorageWireTap tap, string service, int id) : IRelayObserver
    {
        public string Service => service;

        public int Id => id;

        public Recording Requests { get; } = new();

        public Recording Responses { get; } = new();

        public void OnUpstream(ReadOnlySpan<byte> chunk) => tap.Record(Requests, chunk);

        public void OnDownstream(ReadOnlySpan<byte> chunk) => tap.Record(Responses, chunk);

        public void OnClosed()
        {
        }
    }

    /// <summary>One direction of one connection: its bytes, and when each part of them arrived.</summary>
    private sealed class Recording
    {
        private readonly Lock _gate = new();
        private readonly ArrayBufferWriter<byte> _bytes = new();
        private readonly List<(long Offset, DateTimeOffset At)> _marks = [];

        public void Append(ReadOnlySpan<byte> data)
        {
            lock (_gate)
            {
                _marks.Add((_bytes.WrittenCount, DateTimeOffset.UtcNow));
                _bytes.Write(data);
            }
        }

        public (byte[] Bytes, List<(long Offset, DateTimeOffset At)> Marks) Snapshot()
        {
            lock (_gate)
            {
                return (_bytes.WrittenSpan.ToArray(), [.. _marks]);
            }
        }
    }
}

/// <summary>What went through a <see cref="StorageWireTap"/>: every request and response as searchable text, and the queue messages sent.</summary>
internal sealed record StorageTraffic(
    IReadOnlyList<ScannedText> Exchanges,
    IReadOnlyList<SentQueueMessage> SentMessages,
    int Connections,
    int Requests,
    int Responses,
    IReadOnlyList<string> Unparsed,
    long Bytes)
{
    /// <summary>When the last message sent with a visibility delay (a durable timer) becomes visible.</summary>
    public DateTimeOffset? LastDelayedMessageDue => SentMessages.Where(m => m.VisibilityDelay > TimeSpan.Zero).Select(m => (DateTimeOffset?)m.DueAt).Max();
}

/// <summary>A Put Message request: the queue, the message text exactly as stored, and when it becomes visible.</summary>
internal sealed record SentQueueMessage(string Queue, string Text, DateTimeOffset SentAt, TimeSpan VisibilityDelay)
{
    public DateTimeOffset DueAt => SentAt + VisibilityDelay;

    /// <summary>The message of a <c>POST /account/queue/messages</c>, or null for any other request.</summary>
    public static SentQueueMessage? TryRead(HttpMessage request, DateTimeOffset sentAt)
    {
        ArgumentNullException.ThrowIfNull(request);
        string[] startLine = request.StartLine.Split(' ');
        if (startLine.Length < 2 || startLine[0] != "POST")
        {
            return null;
        }

        var uri = new Uri(new Uri("http://tap/"), startLine[1]);
        string[] segments = uri.AbsolutePath.Trim('/').Split('/');
        if (segments is not [_, var queue, "messages"])
        {
            return null;
        }

        string text = XDocument.Parse(Encoding.UTF8.GetString(request.Body).TrimStart('\uFEFF')).Root!.Element("MessageText")!.Value;
        string? delay = HttpUtility.ParseQueryString(uri.Query)["visibilitytimeout"];
        return new SentQueueMessage(queue, text, sentAt, TimeSpan.FromSeconds(delay is null ? 0 : int.Parse(delay, CultureInfo.InvariantCulture)));
    }
}

/// <summary>One HTTP/1.1 message of a recorded stream: where it starts, its start line, headers and (de-chunked) body.</summary>
internal sealed record HttpMessage(long Offset, string StartLine, string Headers, byte[] Body, bool Complete)
{
    /// <summary>Start line, headers and body as text (see <see cref="SecretSearch.BodyText"/>).</summary>
    public string AsText() => $"{StartLine}\n{Headers}\n{SecretSearch.BodyText(Body)}";
}

/// <summary>Splits a recorded HTTP/1.1 byte stream (one direction of a connection) into messages.</summary>
internal static class HttpStreamParser
{
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();

    internal sealed record Result(IReadOnlyList<HttpMessage> Messages, byte[]? Unparsed);

    /// <summary>
    /// Parses requests (<paramref name="requestMethods"/> null) or responses (then the methods of the requests, in order,
    /// tell which responses have no body: those to HEAD).
    /// </summary>
    public static Result Parse(byte[] data, IReadOnlyList<string>? requestMethods)
    {
        ArgumentNullException.ThrowIfNull(data);
        var messages = new List<HttpMessage>();
        int position = 0, answered = 0;
        while (position < data.Length)
        {
            int headerEnd = data.AsSpan(position).IndexOf(HeaderEnd);
            if (headerEnd < 0)
            {
                return new Result(messages, data[position..]);
            }

            string head = Encoding.Latin1.GetString(data, position, headerEnd);
            int bodyStart = position + headerEnd + HeaderEnd.Length;
            string[] lines = head.Split("\r\n");
            string startLine = lines[0];
            var headers = lines.Skip(1)
                .Select(l => l.Split(':', 2))
                .Where(p => p.Length == 2)
                .Select(p => (Name: p[0].Trim().ToLowerInvariant(), Value: p[1].Trim()))
                .ToList();
            bool isResponse = requestMethods is not null;
            if (isResponse != startLine.StartsWith("HTTP/1.", StringComparison.Ordinal) || (!isResponse && !startLine.Contains(" HTTP/1.", StringComparison.Ordinal)))
            {
                return new Result(messages, data[position..]);
            }

            int status = isResponse && startLine.Length >= 12 && int.TryParse(startLine.AsSpan(9, 3), CultureInfo.InvariantCulture, out int s) ? s : 0;
            bool interim = status is >= 100 and < 200;
            string? method = isResponse && !interim && answered < requestMethods!.Count ? requestMethods[answered] : null;
            if (isResponse && !interim)
            {
                answered++;
            }

            string? transferEncoding = headers.LastOrDefault(h => h.Name == "transfer-encoding").Value;
            string? contentLength = headers.LastOrDefault(h => h.Name == "content-length").Value;
            byte[] body;
            bool complete = true;
            int next;
            if (interim || status is 204 or 304 || method == "HEAD")
            {
                body = [];
                next = bodyStart;
            }
            else if (transferEncoding is not null && transferEncoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                if (!TryReadChunked(data, bodyStart, out body, out next, out complete))
                {
                    return new Result(messages, data[position..]);
                }
            }
            else if (contentLength is not null)
            {
                if (!long.TryParse(contentLength, CultureInfo.InvariantCulture, out long length) || length < 0)
                {
                    return new Result(messages, data[position..]);
                }

                int available = (int)Math.Min(length, data.Length - bodyStart);
                complete = available == length;
                body = data[bodyStart..(bodyStart + available)];
                next = bodyStart + available;
            }
            else if (isResponse)
            {
                // No length: the body runs to the end of the connection.
                body = data[bodyStart..];
                next = data.Length;
            }
            else
            {
                body = [];
                next = bodyStart;
            }

            messages.Add(new HttpMessage(position, startLine, string.Join('\n', headers.Select(h => $"{h.Name}: {h.Value}")), body, complete));
            position = next;
        }

        return new Result(messages, null);
    }

    private static bool TryReadChunked(byte[] data, int start, out byte[] body, out int next, out bool complete)
    {
        using var output = new MemoryStream();
        int position = start;
        complete = false;
        for (int chunk = 0; chunk < 10_000_000; chunk++)
        {
            int lineEnd = data.AsSpan(position).IndexOf("\r\n"u8);
            if (lineEnd < 0)
            {
                // The connection ended inside the chunk header.
                break;
            }

            string sizeText = Encoding.Latin1.GetString(data, position, lineEnd).Split(';')[0].Trim();
            if (!int.TryParse(sizeText, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int size) || size < 0)
            {
                body = [];
                next = position;
                return false;
            }

            position += lineEnd + 2;
            if (size == 0)
            {
                // Trailers (none expected), then the empty line.
                int trailerEnd = data.AsSpan(position).IndexOf("\r\n"u8);
                while (trailerEnd > 0)
                {
                    position += trailerEnd + 2;
                    trailerEnd = data.AsSpan(position).IndexOf("\r\n"u8);
                }

                position = trailerEnd < 0 ? data.Length : position + 2;
                complete = true;
                break;
            }

            int available = Math.Min(size, data.Length - position);
            output.Write(data, position, available);
            position += available;
            if (available < size)
            {
                break;
            }

            position = Math.Min(data.Length, position + 2);
        }

        body = output.ToArray();
        next = position;
        return true;
    }
}
