namespace Workflow.Durable.Tests;

/// <summary>Invariants every instance history must satisfy, whatever happened on the way.</summary>
internal static class HistoryAssert
{
    /// <summary>
    /// One start; scheduled tasks and timers numbered 0..n-1 without gaps or repeats; at most one
    /// completion per scheduled id, each after what it completes; at most one end, and it is last.
    /// </summary>
    public static void IsConsistent(IReadOnlyList<OrchestrationHistoryEvent> history)
    {
        Assert.Single(history, e => e.EventType == "ExecutionStarted");
        int[] scheduled = [.. history.Where(e => e.EventType is "TaskScheduled" or "TimerCreated").Select(e => e.EventId)];
        Assert.Equal(Enumerable.Range(0, scheduled.Length), scheduled.Order());

        var completions = history.Where(e => e.EventType is "TaskCompleted" or "TaskFailed" or "TimerFired").ToList();
        Assert.Equal(completions.Count, completions.Select(e => e.TaskScheduledId).Distinct().Count());
        foreach (OrchestrationHistoryEvent completion in completions)
        {
            int at = IndexOf(history, completion);
            int scheduledAt = history.ToList().FindIndex(e => e.EventType is "TaskScheduled" or "TimerCreated" && e.EventId == completion.TaskScheduledId);
            Assert.True(scheduledAt >= 0 && scheduledAt < at, $"{completion.EventType} for #{completion.TaskScheduledId} has no earlier schedule.");
        }

        var ends = history.Where(e => e.EventType is "ExecutionCompleted" or "ExecutionTerminated").ToList();
        Assert.True(ends.Count <= 1, $"{ends.Count} end events.");
        if (ends.Count == 1)
        {
            Assert.Same(ends[0], history[^1]);
        }
    }

    public static void IsConsistentAndComplete(IReadOnlyList<OrchestrationHistoryEvent> history)
    {
        IsConsistent(history);
        Assert.Equal("ExecutionCompleted", history[^1].EventType);
        int[] tasks = [.. history.Where(e => e.EventType == "TaskScheduled").Select(e => e.EventId).Order()];
        int[] done = [.. history.Where(e => e.EventType is "TaskCompleted" or "TaskFailed").Select(e => e.TaskScheduledId).Order()];
        Assert.Equal(tasks, done);
    }

    public static List<OrchestrationHistoryEvent> OfType(IReadOnlyList<OrchestrationHistoryEvent> history, string eventType)
        => [.. history.Where(e => e.EventType == eventType)];

    public static string Describe(IReadOnlyList<OrchestrationHistoryEvent> history)
        => string.Join(", ", history.Select(e => $"{e.EventType}#{e.EventId}/{e.TaskScheduledId}{(e.Name is null ? "" : " " + e.Name)}"));

    private static int IndexOf(IReadOnlyList<OrchestrationHistoryEvent> history, OrchestrationHistoryEvent e)
    {
        for (int i = 0; i < history.Count; i++)
        {
            if (ReferenceEquals(history[i], e))
            {
                return i;
            }
        }

        return -1;
    }
}
