using Azure.Data.Tables;

namespace Workflow.Durable.TestWorker;

/// <summary>Input of <see cref="RaceChain"/>: how many activities run in sequence, then how many at once.</summary>
public sealed record RaceInput(int Steps, int FanOut);

/// <summary>Input of <see cref="RaceStep"/>.</summary>
public sealed record RaceStepInput(int Value, int Increment);

/// <summary>
/// A chain of <see cref="RaceInput.Steps"/> activities followed by a fan-out of <see cref="RaceInput.FanOut"/>:
/// many small steps, so two worker processes racing over the same instances collide often.
/// </summary>
public sealed class RaceChain : TaskOrchestrator<RaceInput, int>
{
    public override async Task<int> RunAsync(TaskOrchestrationContext context, RaceInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        int value = 0;
        for (int i = 0; i < input.Steps; i++)
        {
            value = await context.CallActivityAsync<int>(nameof(RaceStep), new RaceStepInput(value, i + 1));
        }

        int[] fanned = await Task.WhenAll(Enumerable.Range(0, input.FanOut)
            .Select(j => context.CallActivityAsync<int>(nameof(RaceStep), new RaceStepInput(value, 100 + j))));
        return value + fanned.Sum();
    }
}

/// <summary>
/// Adds <see cref="RaceStepInput.Increment"/> to <see cref="RaceStepInput.Value"/>. Its side effect is an
/// upsert keyed by (instance, task id) — the idempotency key the runtime guarantees stable across
/// redeliveries — plus an append-only row per execution, so the test can see redeliveries happen and
/// still find exactly one effect per completed task.
/// </summary>
public sealed class RaceStep(SideEffectTables tables) : TaskActivity<RaceStepInput, int>
{
    /// <summary>Environment variable: the worker dies inside this activity for instances whose id starts with its value.</summary>
    public const string CrashInActivityVariable = "WORKFLOW_TESTWORKER_CRASH_IN_ACTIVITY";

    public override async Task<int> RunAsync(TaskActivityContext context, RaceStepInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        int result = input.Value + input.Increment;
        if (Environment.GetEnvironmentVariable(CrashInActivityVariable) is { Length: > 0 } crashPrefix && context.InstanceId.StartsWith(crashPrefix, StringComparison.Ordinal))
        {
            Console.Out.WriteLine($"CRASHING in activity #{context.TaskId} of {context.InstanceId}");
            Console.Out.Flush();
            Environment.FailFast($"Test worker: simulated crash while running an activity of {context.InstanceId}.");
        }

        string taskKey = context.TaskId.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);
        await tables.Effects.UpsertEntityAsync(
            new TableEntity(context.InstanceId, taskKey) { ["Result"] = result, ["Worker"] = Environment.ProcessId },
            TableUpdateMode.Replace,
            context.CancellationToken).ConfigureAwait(false);
        await tables.Executions.AddEntityAsync(
            new TableEntity(context.InstanceId, $"{taskKey}-{Guid.NewGuid():N}") { ["Worker"] = Environment.ProcessId },
            context.CancellationToken).ConfigureAwait(false);
        return result;
    }
}

/// <summary>The tables the activities write their side effects to (created by the test before the workers start).</summary>
public sealed class SideEffectTables(string connectionString, string hubName)
{
    public TableClient Effects { get; } = new TableServiceClient(connectionString).GetTableClient(EffectsTableName(hubName));

    public TableClient Executions { get; } = new TableServiceClient(connectionString).GetTableClient(ExecutionsTableName(hubName));

    public static string EffectsTableName(string hubName) => hubName + "Effects";

    public static string ExecutionsTableName(string hubName) => hubName + "Executions";
}
