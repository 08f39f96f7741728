using System.Collections.Concurrent;
using Workflow.Durable;

namespace Workflow.Benchmarks;

/// <summary>Records when each activity ran, to measure the gap between consecutive activities of a chain.</summary>
internal sealed class ActivityClock
{
    public ConcurrentDictionary<string, ConcurrentQueue<long>> Ticks { get; } = new();

    public void Record(string instanceId) => Ticks.GetOrAdd(instanceId, _ => new()).Enqueue(System.Diagnostics.Stopwatch.GetTimestamp());
}

internal sealed class Step(ActivityClock clock) : TaskActivity<int, int>
{
    public override Task<int> RunAsync(TaskActivityContext context, int input)
    {
        clock.Record(context.InstanceId);
        return Task.FromResult(input + 1);
    }
}

internal sealed class SequentialChain : TaskOrchestrator<int, int>
{
    public override async Task<int> RunAsync(TaskOrchestrationContext context, int input)
    {
        int value = 0;
        for (int i = 0; i < input; i++)
        {
            value = await context.CallActivityAsync<int>(nameof(Step), value);
        }

        return value;
    }
}

internal sealed class WaitForSignal : TaskOrchestrator<object?, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, object? input)
        => await context.WaitForExternalEvent<string>("Signal");
}

internal sealed class SingleActivity : TaskOrchestrator<object?, int>
{
    public override Task<int> RunAsync(TaskOrchestrationContext context, object? input)
        => context.CallActivityAsync<int>(nameof(Step), 1);
}
