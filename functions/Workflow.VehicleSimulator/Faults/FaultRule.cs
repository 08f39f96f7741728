namespace Workflow.VehicleSimulator.Faults;

/// <summary>
/// A pending fault as shown by <c>GET /_sim/faults</c>. <see cref="Status"/> 0 means "delay only,
/// then process normally"; <see cref="Path"/> null means every <c>/v1/</c> path, one ending with <c>/</c> every path under it.
/// </summary>
public sealed record FaultRule(int Status, int Remaining, int DelayMs, string? Path);

/// <summary>
/// A fault taken by one request. The delay task is created when the fault is taken, under the
/// injector's lock, so once <c>GET /_sim/faults</c> shows the fault taken, its timer exists and a
/// test that advances a fake clock cannot race ahead of it.
/// </summary>
internal sealed record FaultHit(int Status, Task Delay);
