namespace Workflow.VehicleSimulator.State;

/// <summary>The most recent pims calls, oldest first, bounded so a long run does not grow without bound.</summary>
internal sealed class RequestLog(int capacity)
{
    private readonly Lock _gate = new();
    private readonly Queue<RequestLogEntry> _entries = new();

    public void Add(RequestLogEntry entry)
    {
        lock (_gate)
        {
            _entries.Enqueue(entry);
            while (_entries.Count > capacity)
            {
                _entries.Dequeue();
            }
        }
    }

    public IReadOnlyList<RequestLogEntry> List(string? vin)
    {
        lock (_gate)
        {
            return [.. _entries.Where(e => vin is null || e.Vin == vin)];
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
        }
    }
}
