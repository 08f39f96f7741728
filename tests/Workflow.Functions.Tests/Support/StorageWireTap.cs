using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Web;
using System.Xml.Linq;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Workflow.Functions.Tests.Support;

/// <summary>
/// An Azure SDK pipeline policy on the runtime's storage clients (<c>DurableTask:Storage:AdditionalPolicies</c>) that
/// records every request with its body: everything the app ever wrote, including what a later scan of the
/// account cannot see any more (outbox rows deleted after dispatch, purged instances) or not yet (delayed
/// timer messages, which stay invisible until due).
/// </summary>
internal sealed class StorageWireTap : HttpPipelinePolicy
{
    private readonly ConcurrentQueue<ScannedText> _requests = new();
    private readonly ConcurrentQueue<string> _sentMessages = new();
    private int _delayedMessages;

    /// <summary>Every request: method, path, query and body.</summary>
    public IReadOnlyList<ScannedText> Requests => [.. _requests];

    /// <summary>The text of every queue message sent, exactly as it went into the queue.</summary>
    public IReadOnlyList<string> SentMessages => [.. _sentMessages];

    /// <summary>Queue messages sent with a visibility delay (durable timers, backing messages of inline steps).</summary>
    public int DelayedMessages => Volatile.Read(ref _delayedMessages);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Record(message.Request);
        ProcessNext(message, pipeline);
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Record(message.Request);
        return ProcessNextAsync(message, pipeline);
    }

    private void Record(Request request)
    {
        string body = string.Empty;
        if (request.Content is { } content)
        {
            // The SDK's contents are replayable (it retries with them), so reading one here does not consume it.
            using var buffer = new MemoryStream();
            content.WriteTo(buffer, CancellationToken.None);
            body = Encoding.UTF8.GetString(buffer.ToArray()).TrimStart('\uFEFF');
        }

        Uri uri = request.Uri.ToUri();
        _requests.Enqueue(new ScannedText(ScanSource.StorageRequest, $"{request.Method} {uri.AbsolutePath}", $"{uri.PathAndQuery}\n{body}"));
        if (request.Method == RequestMethod.Post && uri.AbsolutePath.EndsWith("/messages", StringComparison.Ordinal))
        {
            _sentMessages.Enqueue(XDocument.Parse(body).Root!.Element("MessageText")!.Value);
            string? delay = HttpUtility.ParseQueryString(uri.Query)["visibilitytimeout"];
            if (delay is not null && int.Parse(delay, CultureInfo.InvariantCulture) > 0)
            {
                Interlocked.Increment(ref _delayedMessages);
            }
        }
    }
}
