using Workflow.VehicleSimulator.Pims;

namespace Workflow.VehicleSimulator.State;

/// <summary>
/// First answer per (VIN, Idempotency-Key), so a retried request replays it instead of acting twice.
/// Entries older than the retention are forgotten, as a real gateway would.
/// </summary>
internal sealed class IdempotencyCache(TimeProvider time, TimeSpan retention)
{
    private const int SweepEvery = 1024;

    private readonly Lock _gate = new();
    private readonly Dictionary<(string Vin, string Key), (PimsMessage Message, DateTimeOffset StoredAt)> _answers = [];
    private int _storesSinceSweep;

    public bool TryGet(string vin, string key, out PimsMessage message)
    {
        lock (_gate)
        {
            if (_answers.TryGetValue((vin, key), out var entry) && time.GetUtcNow() - entry.StoredAt < retention)
            {
                message = entry.Message;
                return true;
            }

            message = null!;
            return false;
        }
    }

    public void Store(string vin, string key, PimsMessage message)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            _answers[(vin, key)] = (message, now);
            if (++_storesSinceSweep >= SweepEvery)
            {
                _storesSinceSweep = 0;
                foreach (var stale in _answers.Where(a => now - a.Value.StoredAt >= retention).Select(a => a.Key).ToList())
                {
                    _answers.Remove(stale);
                }
            }
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _answers.Clear();
            _storesSinceSweep = 0;
        }
    }
}
