using Microsoft.DurableTask;

namespace Workflow.Vehicles.Tests.Infrastructure;

/// <summary>What the worker gives an activity, for tests that run an activity twice by hand (a redelivery).</summary>
internal sealed class TestActivityContext(TaskName name, string instanceId) : TaskActivityContext
{
    public override TaskName Name { get; } = name;

    public override string InstanceId { get; } = instanceId;
}
