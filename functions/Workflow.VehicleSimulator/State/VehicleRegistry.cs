using System.Security.Cryptography;
using System.Text;

namespace Workflow.VehicleSimulator.State;

/// <summary>
/// Per-vehicle state: PIN override, queued errors per API, and the stale step cache that the seeds
/// describe for 2317/2312. A vehicle exists as soon as something is set for its VIN.
/// </summary>
internal sealed class VehicleRegistry
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Vehicle> _vehicles = new(StringComparer.Ordinal);

    public void SetPin(string vin, string pin)
    {
        lock (_gate)
        {
            GetOrAdd(vin).Pin = pin;
        }
    }

    /// <summary>Compares in constant time: the simulator should not teach clients habits a real PIN check would punish.</summary>
    public bool PinMatches(string vin, string candidate, string defaultPin)
    {
        string expected;
        lock (_gate)
        {
            expected = _vehicles.TryGetValue(vin, out var vehicle) && vehicle.Pin is { } pin ? pin : defaultPin;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(candidate));
    }

    public void EnqueueErrors(string vin, string api, IEnumerable<int> codes)
    {
        lock (_gate)
        {
            var errors = GetOrAdd(vin).NextErrors;
            if (!errors.TryGetValue(api, out var queue))
            {
                errors[api] = queue = new Queue<int>();
            }

            foreach (var code in codes)
            {
                queue.Enqueue(code);
            }
        }
    }

    public bool TryDequeueError(string vin, string api, out int code)
    {
        lock (_gate)
        {
            code = 0;
            return _vehicles.TryGetValue(vin, out var vehicle)
                && vehicle.NextErrors.TryGetValue(api, out var queue)
                && queue.TryDequeue(out code);
        }
    }

    /// <summary>The code every withPIN request answers until one carries <c>resetStep: true</c>; null when the cache is fresh.</summary>
    public int? StaleStepCode(string vin)
    {
        lock (_gate)
        {
            return _vehicles.TryGetValue(vin, out var vehicle) ? vehicle.StaleStepCode : null;
        }
    }

    public void SetStaleStepCode(string vin, int? code)
    {
        lock (_gate)
        {
            GetOrAdd(vin).StaleStepCode = code;
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _vehicles.Clear();
        }
    }

    private Vehicle GetOrAdd(string vin)
    {
        if (!_vehicles.TryGetValue(vin, out var vehicle))
        {
            _vehicles[vin] = vehicle = new Vehicle();
        }

        return vehicle;
    }

    private sealed class Vehicle
    {
        public string? Pin { get; set; }

        public int? StaleStepCode { get; set; }

        public Dictionary<string, Queue<int>> NextErrors { get; } = new(StringComparer.Ordinal);
    }
}
