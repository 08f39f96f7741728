using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.DurableTask;

namespace Workflow.Benchmarks;

/// <summary>The benchmark's orchestrators and activity, as a Durable Functions sample would write them.</summary>
internal static class BenchTasks
{
    public const string Chain = nameof(SequentialChain);
    public const string Wait = nameof(WaitForSignal);
    public const string Single = nameof(SingleActivity);
    public const string SignalEvent = "Signal";

    public static void Register(DurableTaskRegistry registry) =>
        registry.AddOrchestrator<SequentialChain>().AddOrchestrator<WaitForSignal>().AddOrchestrator<SingleActivity>().AddActivity<Step>();
}

/// <summary>
/// In-process notice that an orchestrator ran its last episode (it returned, not replaying): the engine commits the
/// completion right after, and the benchmark then reads the committed row. Saves polling the engine meanwhile.
/// </summary>
internal static class Finished
{
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> s_waiters = new(StringComparer.Ordinal);

    public static Task WhenFinished(string instanceId) => Get(instanceId).Task;

    public static void Forget(string instanceId) => s_waiters.TryRemove(instanceId, out _);

    public static void Mark(TaskOrchestrationContext context)
    {
        if (!context.IsReplaying)
        {
            Get(context.InstanceId).TrySetResult();
        }
    }

    private static TaskCompletionSource Get(string instanceId) =>
        s_waiters.GetOrAdd(instanceId, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}

/// <summary>When each activity of each instance ran, to measure the gap between consecutive activities of a chain.</summary>
internal static class HopClock
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<long>> s_ticks = new(StringComparer.Ordinal);
    private static long s_count;

    public static long Count => Interlocked.Read(ref s_count);

    public static void Record(string instanceId)
    {
        s_ticks.GetOrAdd(instanceId, static _ => new ConcurrentQueue<long>()).Enqueue(Stopwatch.GetTimestamp());
        Interlocked.Increment(ref s_count);
    }

    /// <summary>The gaps, in milliseconds, between consecutive activities of each of <paramref name="instanceIds"/>.</summary>
    public static List<double> Gaps(IEnumerable<string> instanceIds) =>
        [.. instanceIds
            .Select(id => s_ticks.TryGetValue(id, out ConcurrentQueue<long>? q) ? q.ToArray() : [])
            .SelectMany(t => t.Zip(t.Skip(1), (a, b) => Stopwatch.GetElapsedTime(a, b).TotalMilliseconds))];
}

internal sealed class Step : TaskActivity<int, int>
{
    public override Task<int> RunAsync(TaskActivityContext context, int input)
    {
        ArgumentNullException.ThrowIfNull(context);
        HopClock.Record(context.InstanceId);
        return Task.FromResult(input + 1);
    }
}

internal sealed class SequentialChain : TaskOrchestrator<int, int>
{
    public override async Task<int> RunAsync(TaskOrchestrationContext context, int input)
    {
        ArgumentNullException.ThrowIfNull(context);
        int value = 0;
        for (int i = 0; i < input; i++)
        {
            value = await context.CallActivityAsync<int>(nameof(Step), value);
        }

        Finished.Mark(context);
        return value;
    }
}

internal sealed class WaitForSignal : TaskOrchestrator<object?, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, object? input)
    {
        ArgumentNullException.ThrowIfNull(context);
        string signal = await context.WaitForExternalEvent<string>(BenchTasks.SignalEvent);
        Finished.Mark(context);
        return signal;
    }
}

internal sealed class SingleActivity : TaskOrchestrator<object?, int>
{
    public override async Task<int> RunAsync(TaskOrchestrationContext context, object? input)
    {
        ArgumentNullException.ThrowIfNull(context);
        int result = await context.CallActivityAsync<int>(nameof(Step), 1);
        Finished.Mark(context);
        return result;
    }
}
