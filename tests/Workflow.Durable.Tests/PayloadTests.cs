using System.Collections.Concurrent;
using System.Text;
using System.Xml.Linq;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Workflow.Durable.Execution;
using Workflow.Durable.Storage;
using Workflow.Testing;

namespace Workflow.Durable.Tests;

public sealed class PayloadTests
{
    private const int TablePropertyMaxChars = 32 * 1024;

    [Fact]
    public async Task Large_input_activity_output_and_event_data_round_trip_through_payload_blobs()
    {
        var requests = new RequestRecorder();
        await using var host = await DurableTestHost.StartAsync(
            r => r.AddOrchestrator<BigPayloads>().AddActivity<Echo>(),
            o => o.Storage.AdditionalPolicies.Add(requests));
        string input = "input:" + new string('i', 100_000);
        string eventData = "event:" + new string('e', 90_000);

        string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(BigPayloads), input);
        await Eventually.TrueAsync(async () => (await host.Client.GetInstanceAsync(id))?.SerializedCustomStatus is not null, "the event wait", DurableTestHost.CompletionTimeout);
        await host.Client.RaiseEventAsync(id, "Big", eventData);
        OrchestrationMetadata result = await host.WaitAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal(new BigResult(input, eventData), result.ReadOutputAs<BigResult>());
        Assert.Equal(input, result.ReadInputAs<string>());

        // The rows only point at blobs; the blobs hold the data.
        List<TableEntity> rows = await host.Hub.PartitionAsync(id);
        TableEntity instance = rows.Single(r => r.RowKey == "$instance");
        Assert.StartsWith("@blob:", instance.GetString("Input"), StringComparison.Ordinal);
        Assert.StartsWith("@blob:", instance.GetString("Output"), StringComparison.Ordinal);
        List<StoredHistoryEvent> stored = [.. (await host.Hub.HistoryRowsAsync(id)).SelectMany(r => r.Events)];
        foreach (HistoryEventType type in new[] { HistoryEventType.ExecutionStarted, HistoryEventType.TaskScheduled, HistoryEventType.TaskCompleted, HistoryEventType.EventRaised, HistoryEventType.ExecutionCompleted })
        {
            Assert.StartsWith("@blob:", stored.Single(e => e.Type == type).Payload, StringComparison.Ordinal);
        }

        Assert.All(rows.SelectMany(r => r.Select(p => p.Value)).OfType<string>(), s => Assert.True(s.Length <= TablePropertyMaxChars, $"A table property has {s.Length} characters."));
        List<string> blobs = await host.Hub.BlobNamesAsync(id + "/");
        var contents = new List<string>();
        foreach (string blob in blobs)
        {
            contents.Add(await host.Hub.BlobTextAsync(blob));
        }

        Assert.Contains(contents, c => c.Contains(input, StringComparison.Ordinal));
        Assert.Contains(contents, c => c.Contains(eventData, StringComparison.Ordinal));

        // No queue message carried a payload inline: every one stayed under the 64 KiB limit.
        Assert.NotEmpty(requests.QueueMessages);
        Assert.All(requests.QueueMessages, m => Assert.True(Encoding.UTF8.GetByteCount(m) < 48 * 1024, $"A queue message has {m.Length} characters."));
    }

    [Fact]
    public async Task Protector_is_applied_to_every_payload_so_no_secret_reaches_storage_in_clear()
    {
        const string Marker = "CLEAR-TEXT-MARKER-7f3a";
        var requests = new RequestRecorder();
        var protector = new MarkingProtector();
        await using var host = await DurableTestHost.StartAsync(
            r => r.AddOrchestrator<SecretEverywhere>().AddActivity<Echo>().AddActivity<Fail>(),
            o => o.Storage.AdditionalPolicies.Add(requests),
            s => s.AddSingleton<IPayloadProtector>(protector));

        // A small secret stays inline; a large one goes through the payload blobs.
        string small = "pin=" + Marker;
        string large = Marker + new string('x', 40_000) + Marker;
        var ids = new List<string>();
        foreach (string secret in new[] { small, large })
        {
            string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(SecretEverywhere), secret);
            await Eventually.TrueAsync(async () => (await host.Client.GetInstanceAsync(id))?.SerializedCustomStatus is not null, "the event wait", DurableTestHost.CompletionTimeout);
            Assert.Contains(Marker, (await host.Client.GetInstanceAsync(id))!.SerializedCustomStatus, StringComparison.Ordinal);
            await host.Client.RaiseEventAsync(id, "Secret", secret);
            OrchestrationMetadata result = await host.WaitAsync(id);
            Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
            Assert.Equal($"{secret}|{secret}|{secret}", result.ReadOutputAs<string>());
            ids.Add(id);
        }

        // Nothing that went over the wire to storage carried the marker, queue messages decoded...
        Assert.NotEmpty(requests.QueueMessages);
        Assert.DoesNotContain(requests.Bodies, b => b.Contains(Marker, StringComparison.Ordinal));
        Assert.DoesNotContain(requests.QueueMessages, m => m.Contains(Marker, StringComparison.Ordinal));

        // ...while protected payloads did: the recording sees payloads, and they went through the protector.
        Assert.Contains(requests.QueueMessages, m => m.Contains(MarkingProtector.Prefix, StringComparison.Ordinal));
        Assert.Contains(requests.Bodies, b => b.Contains(MarkingProtector.Prefix, StringComparison.Ordinal));
        Assert.True(protector.Protected > 0 && protector.Unprotected > 0);

        // And nothing at rest has it: every property of every row, every blob, every message left in a queue.
        List<TableEntity> rows = await host.Hub.AllRowsAsync();
        Assert.Contains(rows, r => ids.Contains(r.PartitionKey));
        foreach (TableEntity row in rows)
        {
            Assert.DoesNotContain(Marker, RawHub.Describe(row), StringComparison.Ordinal);
        }

        List<string> blobs = await host.Hub.BlobNamesAsync();
        Assert.NotEmpty(blobs);
        foreach (string blob in blobs)
        {
            Assert.DoesNotContain(Marker, await host.Hub.BlobTextAsync(blob), StringComparison.Ordinal);
        }

        foreach (var queue in new[] { host.Hub.Control, host.Hub.WorkItems, host.Hub.Poison })
        {
            Assert.All(await RawHub.PeekAsync(queue), m => Assert.DoesNotContain(Marker, m, StringComparison.Ordinal));
        }
    }

    /// <summary>A reversible test protector: base64 behind a prefix, so a clear marker cannot survive it.</summary>
    private sealed class MarkingProtector : IPayloadProtector
    {
        public const string Prefix = "test-protected:";
        private int _protected;
        private int _unprotected;

        public int Protected => _protected;

        public int Unprotected => _unprotected;

        public ValueTask<string> ProtectAsync(string payload, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _protected);
            return ValueTask.FromResult(Prefix + Convert.ToBase64String(Encoding.UTF8.GetBytes(payload)));
        }

        public ValueTask<string> UnprotectAsync(string protectedPayload, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _unprotected);
            return protectedPayload.StartsWith(Prefix, StringComparison.Ordinal)
                ? ValueTask.FromResult(Encoding.UTF8.GetString(Convert.FromBase64String(protectedPayload[Prefix.Length..])))
                : throw new FormatException("Not a protected payload: " + protectedPayload[..Math.Min(40, protectedPayload.Length)]);
        }
    }

    /// <summary>Records the body of every request the runtime sends to storage; queue messages also decoded from their base64.</summary>
    private sealed class RequestRecorder : HttpPipelinePolicy
    {
        private readonly ConcurrentQueue<string> _bodies = new();
        private readonly ConcurrentQueue<string> _queueMessages = new();

        public IReadOnlyList<string> Bodies => [.. _bodies];

        public IReadOnlyList<string> QueueMessages => [.. _queueMessages];

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Record(message);
            ProcessNext(message, pipeline);
        }

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Record(message);
            return ProcessNextAsync(message, pipeline);
        }

        private void Record(HttpMessage message)
        {
            if (message.Request.Content is not { } content)
            {
                return;
            }

            using var buffer = new MemoryStream();
            content.WriteTo(buffer, CancellationToken.None);
            string body = Encoding.UTF8.GetString(buffer.ToArray()).TrimStart('\uFEFF');
            _bodies.Enqueue(body);
            if (message.Request.Uri.Path.EndsWith("/messages", StringComparison.Ordinal) && body.Contains("<MessageText>", StringComparison.Ordinal))
            {
                string encoded = XDocument.Parse(body).Root!.Element("MessageText")!.Value;
                _queueMessages.Enqueue(Encoding.UTF8.GetString(Convert.FromBase64String(encoded)));
            }
        }
    }
}
