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
    /// <summary>The deadline of a wait the control set: it lasts until the control clears it.</summary>
    private static readonly DateTimeOffset UntilCleared = DateTimeOffset.MaxValue;

    public string? Pin { get; set; }

    /// <summary>The code every withPIN request answers until one carries <c>resetStep: true</c>; null when the cache is fresh.</summary>
    public int? StaleStepCode { get; set; }

    public Dictionary<string, Queue<int>> NextErrors { get; } = new(StringComparer.Ordinal);

    public bool DoorsLocked { get; set; }

    public bool DoorOpen { get; set; }

    public bool EngineRunning { get; set; }

    public bool Charging { get; set; }

    public bool ChargingStandby { get; set; }

    public bool Preconditioning { get; set; }

    /// <summary>
    /// Until when the horn answers 2358: the end of the cooldown the last successful horn command started, or
    /// <see cref="UntilCleared"/> when the control set it; null when it does not wait.
    /// </summary>
    public DateTimeOffset? HornWaitUntil { get; set; }

    /// <summary>Until when warning answers 2359, as <see cref="HornWaitUntil"/>.</summary>
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
    public bool HornWaits(DateTimeOffset now) => now < HornWaitUntil;

    /// <summary>Whether warning answers 2359 at <paramref name="now"/>.</summary>
    public bool LightsWait(DateTimeOffset now) => now < LightsWaitUntil;

    /// <summary>
    /// A withPIN request with <paramref name="candidate"/> as the PIN: null when it is right (the wrong PINs are forgotten),
    /// else the code to refuse with: 2313 not enrolled, 2310 blocked, the stale step code unless
    /// <paramref name="resetStep"/> (which clears it), 2308 for a wrong PIN, counted, the one that reaches
    /// <c>WrongPinsBeforeBlock</c> blocking the account. The PIN is compared in constant time.
    /// </summary>
    public int? CheckPin(string candidate, bool resetStep, VehicleSimulatorOptions options)
    {
        if (!Enrolled)
        {
            return Pims.PimsCodes.EnrollmentRequired;
        }

        if (AccountBlocked)
        {
            return Pims.PimsCodes.AccountBlocked;
        }

        if (StaleStepCode is { } staleCode)
        {
            if (!resetStep)
            {
                return staleCode;
            }

            StaleStepCode = null;
        }

        if (!ConstantTime.AreEqual(candidate, Pin ?? options.DefaultPin))
        {
            WrongPins++;
            if (WrongPins >= (WrongPinsBeforeBlock ?? options.WrongPinsBeforeBlock))
            {
                AccountBlocked = true;
            }

            return Pims.PimsCodes.AccessRefused;
        }

        WrongPins = 0;
        return null;
    }

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

    /// <summary>The end of a cooldown running at <paramref name="now"/>; null when none runs or it lasts until cleared.</summary>
    private static DateTimeOffset? CooldownEnd(DateTimeOffset? waitUntil, DateTimeOffset now) =>
        now < waitUntil && waitUntil != UntilCleared ? waitUntil : null;

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
            CooldownEnd(HornWaitUntil, now),
            CooldownEnd(LightsWaitUntil, now),
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
        // Set through the control: until the control clears it; cleared: also ends a cooldown a command started.
        if (update.HornRecentlyUsed is { } hornUsed)
        {
            HornWaitUntil = hornUsed ? UntilCleared : null;
        }

        if (update.LightsRecentlyUsed is { } lightsUsed)
        {
            LightsWaitUntil = lightsUsed ? UntilCleared : null;
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
