using System.Collections.Concurrent;
using Microsoft.DurableTask;

namespace Workflow.DurableSidecar.Tests;

/// <summary>Toy orchestrators and activities, registered on every worker of these tests.</summary>
internal static class TestTasks
{
    public const string Greet = nameof(Greet);
    public const string AwaitApproval = nameof(AwaitApproval);
    public const string TimerThenTimeout = nameof(TimerThenTimeout);
    public const string Blocking = nameof(Blocking);
    public const string HangsInCrashHost = nameof(HangsInCrashHost);
    public const string ApprovalEvent = "Approval";
    public const string Waiting = "waiting";

    // Per orchestration instance: Block waits on the gate registered for its instance, and signals that it started.
    private static readonly ConcurrentDictionary<string, BlockGate> Gates = new(StringComparer.Ordinal);

    /// <summary>Set in the crash-test child process: Block never returns there.</summary>
    public static bool BlockForever { get; set; }

    /// <summary>Raised when Block, or HangsInCrashHost in the crash host, starts, with the orchestration instance id.</summary>
    public static event Action<string>? BlockStarted;

    public static BlockGate HoldBlock(string instanceId) => Gates.GetOrAdd(instanceId, _ => new BlockGate());

    public static void Register(DurableTaskRegistry registry)
    {
        registry.AddActivityFunc<string, string>("SayHello", (_, name) => $"Hello, {name}!");

        registry.AddOrchestratorFunc<string, string>(Greet, async (context, name) =>
            await context.CallActivityAsync<string>("SayHello", name));

        registry.AddOrchestratorFunc<string?, string>(AwaitApproval, async (context, _) =>
        {
            context.SetCustomStatus(Waiting);
            string answer = await context.WaitForExternalEvent<string>(ApprovalEvent);
            return $"approved:{answer}";
        });

        registry.AddOrchestratorFunc<string?, string>(TimerThenTimeout, async (context, _) =>
        {
            await context.CreateTimer(TimeSpan.FromSeconds(1), CancellationToken.None);
            try
            {
                await context.WaitForExternalEvent<string>("NeverRaised", TimeSpan.FromSeconds(1));
                return "event-arrived";
            }
            catch (TaskCanceledException)
            {
                return "timer-fired,event-timed-out";
            }
        });

        registry.AddActivityFunc<string, string>("Block", async (context, input) =>
        {
            BlockStarted?.Invoke(context.InstanceId);
            if (BlockForever)
            {
                await Task.Delay(Timeout.Infinite);
            }

            if (Gates.TryGetValue(context.InstanceId, out BlockGate? gate))
            {
                gate.Started.TrySetResult();
                await gate.Release.Task;
            }

            return $"done:{input}";
        });

        registry.AddOrchestratorFunc<string, string>(Blocking, async (context, input) =>
            await context.CallActivityAsync<string>("Block", input));

        // In the crash host its first episode never ends, so the control-queue message that started it stays dequeued.
        registry.AddOrchestratorFunc<string, string>(HangsInCrashHost, (context, input) =>
        {
            if (BlockForever)
            {
                BlockStarted?.Invoke(context.InstanceId);
                Thread.Sleep(Timeout.Infinite);
            }

            return Task.FromResult($"ran:{input}");
        });
    }

    internal sealed class BlockGate
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
