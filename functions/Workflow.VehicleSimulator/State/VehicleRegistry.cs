using System.Security.Cryptography;
using System.Text;

namespace Workflow.VehicleSimulator.State;

/// <summary>
/// Per-vehicle state: PIN override, queued errors per API, the stale step cache that the seeds describe for
/// 2317/2312, the strong-authentication account (wrong PINs, blocked, enrolled), which calls need an OTP, and the
/// scriptable car (doors, engine, charging, cooldowns, a command running, …). A vehicle exists as soon as something is
/// set or asked for its VIN.
/// </summary>
internal sealed class VehicleRegistry(VehicleSimulatorOptions options, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SimulatedVehicle> _vehicles = new(StringComparer.Ordinal);

    public void SetPin(string vin, string pin) => Update(vin, v => v.Pin = pin);

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

    public void EnqueueErrors(string vin, string api, IEnumerable<int> codes) => Update(vin, vehicle =>
    {
        if (!vehicle.NextErrors.TryGetValue(api, out var queue))
        {
            vehicle.NextErrors[api] = queue = new Queue<int>();
        }

        foreach (var code in codes)
        {
            queue.Enqueue(code);
        }
    });

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
    public int? StaleStepCode(string vin) => Read(vin, v => v.StaleStepCode);

    public void SetStaleStepCode(string vin, int? code) => Update(vin, v => v.StaleStepCode = code);

    /// <summary>Runs <paramref name="action"/> on the vehicle under the registry's lock, creating the vehicle if need be.</summary>
    public T Update<T>(string vin, Func<SimulatedVehicle, T> action)
    {
        lock (_gate)
        {
            return action(GetOrAdd(vin));
        }
    }

    public void Update(string vin, Action<SimulatedVehicle> action) => Update(vin, v =>
    {
        action(v);
        return true;
    });

    public VehicleState State(string vin) => Read(vin, v => v.Snapshot(options, time.GetUtcNow()));

    public void Clear()
    {
        lock (_gate)
        {
            _vehicles.Clear();
        }
    }

    private T Read<T>(string vin, Func<SimulatedVehicle, T> read)
    {
        lock (_gate)
        {
            return read(_vehicles.TryGetValue(vin, out var vehicle) ? vehicle : new SimulatedVehicle());
        }
    }

    private SimulatedVehicle GetOrAdd(string vin)
    {
        if (!_vehicles.TryGetValue(vin, out var vehicle))
        {
            _vehicles[vin] = vehicle = new SimulatedVehicle();
        }

        return vehicle;
    }
}

/// <summary>One vehicle's mutable state; only touched under <see cref="VehicleRegistry"/>'s lock.</summary>
internal sealed class SimulatedVehicle
{
    public string? Pin { get; set; }

    public int? StaleStepCode { get; set; }

    public Dictionary<string, Queue<int>> NextErrors { get; } = new(StringComparer.Ordinal);

    public bool DoorsLocked { get; set; }

    public bool DoorOpen { get; set; }

    public bool EngineRunning { get; set; }

    public bool Charging { get; set; }

    public bool ChargingStandby { get; set; }

    public bool Preconditioning { get; set; }

    /// <summary>Set through the control: the horn answers 2358 until the control clears it.</summary>
    public bool HornRecentlyUsed { get; set; }

    /// <summary>Set through the control: warning answers 2359 until the control clears it.</summary>
    public bool LightsRecentlyUsed { get; set; }

    /// <summary>End of the cooldown that the last successful horn command started.</summary>
    public DateTimeOffset? HornWaitUntil { get; set; }

    /// <summary>End of the cooldown that the last successful warning command started.</summary>
    public DateTimeOffset? LightsWaitUntil { get; set; }

    public TimeSpan? HornCooldown { get; set; }

    public TimeSpan? LightsCooldown { get; set; }

    /// <summary>The action running on the car: until <see cref="RunningUntil"/>, or until cleared when that is null.</summary>
    public string? RunningAction { get; set; }

    public DateTimeOffset? RunningUntil { get; set; }

    public TimeSpan? CommandDuration { get; set; }

    public bool Enrolled { get; set; } = true;

    public bool AccountBlocked { get; set; }

    public int WrongPins { get; set; }

    public int? WrongPinsBeforeBlock { get; set; }

    public Dictionary<string, bool> StrongAuth { get; } = new(StringComparer.Ordinal);

    /// <summary>Whether a call of <paramref name="api"/> with <paramref name="action"/> needs an OTP: the <c>api:action</c> override, the <c>api</c> one, else remote commands only.</summary>
    public bool NeedsStrongAuth(string api, string? action) =>
        action is not null && StrongAuth.TryGetValue($"{api}:{action}", out bool perAction) ? perAction
        : StrongAuth.TryGetValue(api, out bool perApi) ? perApi
        : api == Pims.PimsCodes.CommandApi;

    /// <summary>Whether the horn answers 2358 at <paramref name="now"/>: set through the control, or within its cooldown.</summary>
    public bool HornWaits(DateTimeOffset now) => HornRecentlyUsed || now < HornWaitUntil;

    /// <summary>Whether warning answers 2359 at <paramref name="now"/>.</summary>
    public bool LightsWait(DateTimeOffset now) => LightsRecentlyUsed || now < LightsWaitUntil;

    /// <summary>The action running on the car at <paramref name="now"/>, or null.</summary>
    public string? RunningAt(DateTimeOffset now) => RunningUntil is not { } until || now < until ? RunningAction : null;

    /// <summary>
    /// What a remote command that the car carried out leaves behind: the horn's or the lights' cooldown, and the command
    /// running for the command duration (each when above zero).
    /// </summary>
    public void Executed(string action, DateTimeOffset now, VehicleSimulatorOptions options)
    {
        TimeSpan hornCooldown = HornCooldown ?? options.HornCooldown;
        TimeSpan lightsCooldown = LightsCooldown ?? options.LightsCooldown;
        if (action == "horn" && hornCooldown > TimeSpan.Zero)
        {
            HornWaitUntil = now + hornCooldown;
        }
        else if (action == "warning" && lightsCooldown > TimeSpan.Zero)
        {
            LightsWaitUntil = now + lightsCooldown;
        }

        TimeSpan duration = CommandDuration ?? options.CommandDuration;
        if (duration > TimeSpan.Zero)
        {
            RunningAction = action;
            RunningUntil = now + duration;
        }
    }

    public VehicleState Snapshot(VehicleSimulatorOptions options, DateTimeOffset now)
    {
        string? running = RunningAt(now);
        return new(
            DoorsLocked ? "locked" : "unlocked",
            DoorOpen,
            EngineRunning,
            Charging,
            ChargingStandby,
            Preconditioning,
            HornWaits(now),
            LightsWait(now),
            running,
            Enrolled,
            AccountBlocked,
            WrongPins,
            WrongPinsBeforeBlock ?? options.WrongPinsBeforeBlock,
            new Dictionary<string, bool>(StrongAuth, StringComparer.Ordinal),
            HornRecentlyUsed || !(now < HornWaitUntil) ? null : HornWaitUntil,
            LightsRecentlyUsed || !(now < LightsWaitUntil) ? null : LightsWaitUntil,
            HornCooldown ?? options.HornCooldown,
            LightsCooldown ?? options.LightsCooldown,
            running is null ? null : RunningUntil,
            CommandDuration ?? options.CommandDuration);
    }

    public void Apply(VehicleStateUpdate update)
    {
        if (update.Doors is { } doors)
        {
            DoorsLocked = doors == "locked";
        }

        DoorOpen = update.DoorOpen ?? DoorOpen;
        EngineRunning = update.EngineRunning ?? EngineRunning;
        Charging = update.Charging ?? Charging;
        ChargingStandby = update.ChargingStandby ?? ChargingStandby;
        Preconditioning = update.Preconditioning ?? Preconditioning;
        if (update.HornRecentlyUsed is { } hornUsed)
        {
            HornRecentlyUsed = hornUsed;
            HornWaitUntil = null;
        }

        if (update.LightsRecentlyUsed is { } lightsUsed)
        {
            LightsRecentlyUsed = lightsUsed;
            LightsWaitUntil = null;
        }

        HornCooldown = update.HornCooldown ?? HornCooldown;
        LightsCooldown = update.LightsCooldown ?? LightsCooldown;
        if (update.RunningAction is { } running)
        {
            RunningAction = running.Length == 0 ? null : running;
            RunningUntil = null;
        }

        CommandDuration = update.CommandDuration ?? CommandDuration;

        Enrolled = update.Enrolled ?? Enrolled;
        if (update.AccountBlocked is { } blocked)
        {
            AccountBlocked = blocked;
            if (!blocked)
            {
                WrongPins = 0;
            }
        }

        WrongPinsBeforeBlock = update.WrongPinsBeforeBlock ?? WrongPinsBeforeBlock;
        foreach ((string key, bool required) in update.StrongAuth ?? new Dictionary<string, bool>())
        {
            StrongAuth[key] = required;
        }
    }
}
