using System.Collections.Concurrent;

namespace Workflow.Durable.Tests;

internal sealed class Echo : TaskActivity<string, string>
{
    public override Task<string> RunAsync(TaskActivityContext context, string input) => Task.FromResult(input);
}

internal sealed class AddOne : TaskActivity<int, int>
{
    public override Task<int> RunAsync(TaskActivityContext context, int input) => Task.FromResult(input + 1);
}

internal sealed class Square : TaskActivity<int, int>
{
    public override Task<int> RunAsync(TaskActivityContext context, int input) => Task.FromResult(input * input);
}

/// <summary>Throws an InvalidOperationException with the input as message and an ArgumentException inside.</summary>
internal sealed class Fail : TaskActivity<string, string>
{
    public override Task<string> RunAsync(TaskActivityContext context, string input)
        => throw new InvalidOperationException(input, new ArgumentException("root cause: " + input));
}

/// <summary>Counts calls per key, shared by every activity of a host through DI.</summary>
internal sealed class AttemptCounter
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    public int Increment(string key) => _counts.AddOrUpdate(key, 1, static (_, n) => n + 1);

    public int Get(string key) => _counts.TryGetValue(key, out int n) ? n : 0;
}

/// <summary>Adds one, counting its executions per (instance, task id).</summary>
internal sealed class CountedAddOne(AttemptCounter counter) : TaskActivity<int, int>
{
    public static string Key(string instanceId, int taskId) => $"{instanceId}#{taskId}";

    public override Task<int> RunAsync(TaskActivityContext context, int input)
    {
        counter.Increment(Key(context.InstanceId, context.TaskId));
        return Task.FromResult(input + 1);
    }
}

internal sealed record FlakyInput(string Key, int Failures, bool ThrowArgumentException);

/// <summary>Fails its first <see cref="FlakyInput.Failures"/> attempts (per key), then returns the attempt number.</summary>
internal sealed class Flaky(AttemptCounter counter) : TaskActivity<FlakyInput, int>
{
    public override Task<int> RunAsync(TaskActivityContext context, FlakyInput input)
    {
        int attempt = counter.Increment(input.Key);
        if (attempt <= input.Failures)
        {
            throw input.ThrowArgumentException
                ? new ArgumentException($"attempt {attempt} rejected")
                : new InvalidOperationException($"attempt {attempt} failed");
        }

        return Task.FromResult(attempt);
    }
}

/// <summary>Calls AddOne <c>input</c> times in sequence.</summary>
internal sealed class Chain : TaskOrchestrator<int, int>
{
    public override async Task<int> RunAsync(TaskOrchestrationContext context, int input)
    {
        int value = 0;
        for (int i = 0; i < input; i++)
        {
            value = await context.CallActivityAsync<int>(nameof(AddOne), value);
        }

        return value;
    }
}

/// <summary>Squares 0..input-1 in parallel and sums the results.</summary>
internal sealed class FanOutFanIn : TaskOrchestrator<int, int>
{
    public override async Task<int> RunAsync(TaskOrchestrationContext context, int input)
    {
        int[] squares = await Task.WhenAll(Enumerable.Range(0, input).Select(i => context.CallActivityAsync<int>(nameof(Square), i)));
        return squares.Sum();
    }
}

internal sealed record FailureView(string TaskName, int TaskId, string ErrorType, string ErrorMessage, string? InnerType, string? InnerMessage);

/// <summary>Calls <see cref="Fail"/> and reports the <see cref="TaskFailedException"/> it got.</summary>
internal sealed class CatchActivityFailure : TaskOrchestrator<string, FailureView>
{
    public override async Task<FailureView> RunAsync(TaskOrchestrationContext context, string input)
    {
        await context.CallActivityAsync<int>(nameof(AddOne), 0);
        try
        {
            await context.CallActivityAsync<string>(nameof(Fail), input);
            throw new InvalidOperationException("The activity should have failed.");
        }
        catch (TaskFailedException ex)
        {
            TaskFailureDetails d = ex.FailureDetails;
            return new FailureView(ex.TaskName, ex.TaskId, d.ErrorType, d.ErrorMessage, d.InnerFailure?.ErrorType, d.InnerFailure?.ErrorMessage);
        }
    }
}

/// <summary>Calls <see cref="Fail"/> and lets the failure escape.</summary>
internal sealed class UnhandledActivityFailure : TaskOrchestrator<string, string>
{
    public override Task<string> RunAsync(TaskOrchestrationContext context, string input)
        => context.CallActivityAsync<string>(nameof(Fail), input);
}

internal sealed record RetryInput(FlakyInput Call, int MaxAttempts, bool RetryOnlyInvalidOperation);

internal sealed record RetryOutcome(int? Attempt, string? ErrorType, string? ErrorMessage);

/// <summary>Calls <see cref="Flaky"/> with a retry policy: 500 ms first interval, doubling.</summary>
internal sealed class RetryingCall : TaskOrchestrator<RetryInput, RetryOutcome>
{
    public static readonly TimeSpan FirstRetryInterval = TimeSpan.FromMilliseconds(500);
    public const double BackoffCoefficient = 2;

    public override async Task<RetryOutcome> RunAsync(TaskOrchestrationContext context, RetryInput input)
    {
        var policy = new RetryPolicy(input.MaxAttempts, FirstRetryInterval, BackoffCoefficient)
        {
            Handle = failure => !input.RetryOnlyInvalidOperation || failure.FailureDetails.IsCausedBy<InvalidOperationException>(),
        };
        try
        {
            return new RetryOutcome(await context.CallActivityAsync<int>(nameof(Flaky), input.Call, TaskOptions.FromRetryPolicy(policy)), null, null);
        }
        catch (TaskFailedException ex)
        {
            return new RetryOutcome(null, ex.FailureDetails.ErrorType, ex.FailureDetails.ErrorMessage);
        }
    }
}

internal sealed record TimerReport(DateTime Start, DateTime Due, DateTime After);

/// <summary>Sleeps <c>input</c> seconds on a durable timer and reports the orchestration clock around it.</summary>
internal sealed class Sleep : TaskOrchestrator<double, TimerReport>
{
    public override async Task<TimerReport> RunAsync(TaskOrchestrationContext context, double input)
    {
        DateTime start = context.CurrentUtcDateTime;
        DateTime due = start.AddSeconds(input);
        await context.CreateTimer(due, CancellationToken.None);
        return new TimerReport(start, due, context.CurrentUtcDateTime);
    }
}

/// <summary>Waits for "Approval" for at most input seconds; returns the event data or "timeout".</summary>
internal sealed class WaitForApproval : TaskOrchestrator<double, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, double input)
    {
        context.SetCustomStatus(new { stage = "waiting" });
        try
        {
            return await context.WaitForExternalEvent<string>("Approval", TimeSpan.FromSeconds(input));
        }
        catch (TaskCanceledException)
        {
            return "timeout";
        }
    }
}

/// <summary>Waits for "Go", then collects <c>input</c> "Item" events in the order they are delivered.</summary>
internal sealed class GateThenCollect : TaskOrchestrator<int, string[]>
{
    public override async Task<string[]> RunAsync(TaskOrchestrationContext context, int input)
    {
        context.SetCustomStatus("gate");
        await context.WaitForExternalEvent<string>("Go");
        context.SetCustomStatus("collecting");
        var items = new List<string>();
        for (int i = 0; i < input; i++)
        {
            items.Add(await context.WaitForExternalEvent<string>("Item"));
        }

        return [.. items];
    }
}

/// <summary>Publishes "step1", waits for "Next", publishes "step2", waits for "Next", returns "done".</summary>
internal sealed class StatusSteps : TaskOrchestrator<object?, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, object? input)
    {
        context.SetCustomStatus(new { stage = "step1" });
        await context.WaitForExternalEvent<object?>("Next");
        context.SetCustomStatus(new { stage = "step2" });
        await context.WaitForExternalEvent<object?>("Next");
        return "done";
    }
}

internal sealed record ProbeValues(DateTime Time, Guid First, Guid Second, bool Replaying);

internal sealed class EchoProbe : TaskActivity<ProbeValues, ProbeValues>
{
    public override Task<ProbeValues> RunAsync(TaskActivityContext context, ProbeValues input) => Task.FromResult(input);
}

internal sealed record ReplayReport(ProbeValues FirstRun, ProbeValues LastReplay, DateTime SecondStepTime);

/// <summary>
/// Reads the clock and two GUIDs at the start, hands them to an activity (which freezes the first
/// execution's values in history), and returns them next to the values the last replay computed.
/// </summary>
internal sealed class ReplayProbe : TaskOrchestrator<object?, ReplayReport>
{
    public override async Task<ReplayReport> RunAsync(TaskOrchestrationContext context, object? input)
    {
        var now = new ProbeValues(context.CurrentUtcDateTime, context.NewGuid(), context.NewGuid(), context.IsReplaying);
        ProbeValues firstRun = await context.CallActivityAsync<ProbeValues>(nameof(EchoProbe), now);
        DateTime secondStep = context.CurrentUtcDateTime;
        await context.CallActivityAsync<string>(nameof(Echo), "again");
        return new ReplayReport(firstRun, now, secondStep);
    }
}

internal sealed record BigResult(string Echoed, string EventData);

/// <summary>Echoes its (large) input through an activity, waits for a (large) "Big" event, returns both.</summary>
internal sealed class BigPayloads : TaskOrchestrator<string, BigResult>
{
    public override async Task<BigResult> RunAsync(TaskOrchestrationContext context, string input)
    {
        string echoed = await context.CallActivityAsync<string>(nameof(Echo), input);
        context.SetCustomStatus("waiting for Big");
        string data = await context.WaitForExternalEvent<string>("Big");
        return new BigResult(echoed, data);
    }
}

/// <summary>
/// Puts its input everywhere the runtime persists a payload: custom status, activity input and
/// output, an event, an activity failure message and the orchestration output.
/// </summary>
internal sealed class SecretEverywhere : TaskOrchestrator<string, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, string input)
    {
        context.SetCustomStatus(new { secret = input });
        string echoed = await context.CallActivityAsync<string>(nameof(Echo), input);
        string failure;
        try
        {
            await context.CallActivityAsync<string>(nameof(Fail), input);
            failure = "no failure";
        }
        catch (TaskFailedException ex)
        {
            failure = ex.FailureDetails.ErrorMessage;
        }

        string data = await context.WaitForExternalEvent<string>("Secret");
        return $"{echoed}|{failure}|{data}";
    }
}

/// <summary>Adds one through <see cref="CountedAddOne"/>, then waits for "Value" and "Done"; returns the sum.</summary>
internal sealed class AddThenWait : TaskOrchestrator<int, int>
{
    public override async Task<int> RunAsync(TaskOrchestrationContext context, int input)
    {
        int a = await context.CallActivityAsync<int>(nameof(CountedAddOne), input);
        int v = await context.WaitForExternalEvent<int>("Value");
        context.SetCustomStatus("got value");
        await context.WaitForExternalEvent<string>("Done");
        return a + v;
    }
}

/// <summary>Adds one, then waits for "Go"; returns both.</summary>
internal sealed class AddThenGo : TaskOrchestrator<int, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, int input)
    {
        int a = await context.CallActivityAsync<int>(nameof(AddOne), input);
        string go = await context.WaitForExternalEvent<string>("Go");
        return $"{a}:{go}";
    }
}

/// <summary>Version 1 of "Versioned": echoes, then waits for "Continue".</summary>
internal sealed class VersionOne : TaskOrchestrator<object?, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, object? input)
    {
        await context.CallActivityAsync<string>(nameof(Echo), "v1");
        await context.WaitForExternalEvent<string>("Continue");
        return "v1";
    }
}

/// <summary>Version 2 of "Versioned": calls a different activity first.</summary>
internal sealed class VersionTwo : TaskOrchestrator<object?, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, object? input)
    {
        await context.CallActivityAsync<int>(nameof(AddOne), 1);
        await context.WaitForExternalEvent<string>("Continue");
        return "v2";
    }
}

/// <summary>Version 3 of "Versioned": waits for "Continue" without calling anything first.</summary>
internal sealed class VersionThree : TaskOrchestrator<object?, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, object? input)
    {
        await context.WaitForExternalEvent<string>("Continue");
        return "v3";
    }
}

/// <summary>Stands for an orchestrator that only worker processes run: a client must know the name to schedule it.</summary>
internal sealed class RemoteOnly : TaskOrchestrator<object?, object?>
{
    public override Task<object?> RunAsync(TaskOrchestrationContext context, object? input)
        => throw new InvalidOperationException("This orchestrator must run in a worker process, never in the test's own host.");
}
