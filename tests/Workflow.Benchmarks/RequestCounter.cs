using Azure.Core;
using Azure.Core.Pipeline;

namespace Workflow.Benchmarks;

/// <summary>Counts every storage request the runtime sends (including retries): the cost that bounds throughput.</summary>
internal sealed class RequestCounter : HttpPipelineSynchronousPolicy
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref _count);
}
