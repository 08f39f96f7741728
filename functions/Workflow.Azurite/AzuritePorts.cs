namespace Workflow.Azurite;

/// <summary>The loopback ports of Azurite's three services.</summary>
/// <param name="Blob">The blob service port.</param>
/// <param name="Queue">The queue service port.</param>
/// <param name="Table">The table service port.</param>
public sealed record AzuritePorts(int Blob, int Queue, int Table)
{
    /// <summary>Azurite's own defaults, which <c>UseDevelopmentStorage=true</c> points at.</summary>
    public static AzuritePorts Default { get; } = new(10000, 10001, 10002);

    /// <summary>Blob, queue and table, in that order.</summary>
    public IReadOnlyList<int> All => [Blob, Queue, Table];
}
