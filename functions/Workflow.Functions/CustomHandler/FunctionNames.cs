namespace Workflow.Functions.CustomHandler;

/// <summary>The names of the queue-trigger functions (their folders in the package) and their trigger binding.</summary>
public static class FunctionNames
{
    /// <summary>Delivers the runtime's control-queue messages (orchestration steps).</summary>
    public const string ControlQueueTrigger = "ControlQueueTrigger";

    /// <summary>Delivers the runtime's work-item messages (activities).</summary>
    public const string WorkItemQueueTrigger = "WorkItemQueueTrigger";

    /// <summary>The name of the queue-trigger binding in both <c>function.json</c> files, i.e. the key under <c>Data</c>.</summary>
    public const string QueueTriggerBinding = "message";
}
