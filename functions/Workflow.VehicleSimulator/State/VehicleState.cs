namespace Workflow.VehicleSimulator.State;

/// <summary>
/// A vehicle as <c>GET /_sim/vehicles/{vin}/state</c> shows it: a snapshot. Never the PIN.
/// </summary>
/// <param name="Doors"><c>locked</c> or <c>unlocked</c> (default <c>unlocked</c>).</param>
/// <param name="DoorOpen">A door is open: lock and unlock answer 2362.</param>
/// <param name="EngineRunning">The engine runs (SEV not STOP): horn, warning, immediate charge and preconditioning answer 2329, stopping preconditioning 2335.</param>
/// <param name="Charging">Charging: an immediate charge answers 2331.</param>
/// <param name="ChargingStandby">The charging system is on standby: an immediate charge answers 2330.</param>
/// <param name="Preconditioning">Preconditioning runs: starting it answers 2333; stopping it when not running answers 2336.</param>
/// <param name="HornRecentlyUsed">
/// The horn sounded a moment ago: horn answers 2358. True within <paramref name="HornCooldown"/> after a horn command
/// succeeded, or after the control set it (then until the control clears it).
/// </param>
/// <param name="LightsRecentlyUsed">The lights blinked a moment ago: warning answers 2359 (as <paramref name="HornRecentlyUsed"/>, with <paramref name="LightsCooldown"/>).</param>
/// <param name="RunningAction">
/// A remote command running on the car: the same action answers 2364, another one 2353. Set by a command that succeeded
/// while <paramref name="CommandDuration"/> is above zero (until <paramref name="RunningUntil"/>), or by the control (until cleared).
/// </param>
/// <param name="Enrolled">Enrolled for strong authentication (default true); otherwise withPIN answers 2313.</param>
/// <param name="AccountBlocked">The strong-authentication account is blocked: withPIN answers 2310 until <c>POST /_sim/vehicles/{vin}/unblock</c>.</param>
/// <param name="WrongPins">Wrong PINs since the last right one (or unblock).</param>
/// <param name="WrongPinsBeforeBlock">The wrong PIN that reaches this count blocks the account (the option <c>WrongPinsBeforeBlock</c> unless set per vehicle).</param>
/// <param name="StrongAuth">Per-vehicle overrides of which calls need an OTP, keyed <c>api</c> or <c>api:action</c>.</param>
/// <param name="HornRecentlyUsedUntil">When the horn's cooldown started by a successful horn command ends; null when none runs (or the control set <paramref name="HornRecentlyUsed"/>: until cleared).</param>
/// <param name="LightsRecentlyUsedUntil">The same for the lights (<c>warning</c>).</param>
/// <param name="HornCooldown">How long a successful horn command makes the next ones wait (2358); zero: no cooldown. The option <c>HornCooldown</c> unless set per vehicle.</param>
/// <param name="LightsCooldown">The same for <c>warning</c> (2359); the option <c>LightsCooldown</c> unless set per vehicle.</param>
/// <param name="RunningUntil">When <paramref name="RunningAction"/> ends by itself; null when nothing runs or the control set it (until cleared).</param>
/// <param name="CommandDuration">How long a successful remote command runs on the car (2353/2364 meanwhile); zero: not at all. The option <c>CommandDuration</c> unless set per vehicle.</param>
public sealed record VehicleState(
    string Doors,
    bool DoorOpen,
    bool EngineRunning,
    bool Charging,
    bool ChargingStandby,
    bool Preconditioning,
    bool HornRecentlyUsed,
    bool LightsRecentlyUsed,
    string? RunningAction,
    bool Enrolled,
    bool AccountBlocked,
    int WrongPins,
    int WrongPinsBeforeBlock,
    IReadOnlyDictionary<string, bool> StrongAuth,
    DateTimeOffset? HornRecentlyUsedUntil,
    DateTimeOffset? LightsRecentlyUsedUntil,
    TimeSpan HornCooldown,
    TimeSpan LightsCooldown,
    DateTimeOffset? RunningUntil,
    TimeSpan CommandDuration);

/// <summary>
/// Body of <c>PUT /_sim/vehicles/{vin}/state</c>: only the fields given change. <see cref="RunningAction"/> <c>""</c>
/// clears the running command; <see cref="StrongAuth"/> entries are merged into the vehicle's overrides.
/// </summary>
public sealed record VehicleStateUpdate
{
    /// <summary><c>locked</c> or <c>unlocked</c>.</summary>
    public string? Doors { get; init; }

    /// <summary>See <see cref="VehicleState.DoorOpen"/>.</summary>
    public bool? DoorOpen { get; init; }

    /// <summary>See <see cref="VehicleState.EngineRunning"/>.</summary>
    public bool? EngineRunning { get; init; }

    /// <summary>See <see cref="VehicleState.Charging"/>.</summary>
    public bool? Charging { get; init; }

    /// <summary>See <see cref="VehicleState.ChargingStandby"/>.</summary>
    public bool? ChargingStandby { get; init; }

    /// <summary>See <see cref="VehicleState.Preconditioning"/>.</summary>
    public bool? Preconditioning { get; init; }

    /// <summary>
    /// See <see cref="VehicleState.HornRecentlyUsed"/>: true makes the horn answer 2358 until set false; false also ends
    /// the cooldown a successful horn command started.
    /// </summary>
    public bool? HornRecentlyUsed { get; init; }

    /// <summary>See <see cref="VehicleState.LightsRecentlyUsed"/>; as <see cref="HornRecentlyUsed"/>, for <c>warning</c> (2359).</summary>
    public bool? LightsRecentlyUsed { get; init; }

    /// <summary>See <see cref="VehicleState.HornCooldown"/> (0 – 1 day; zero turns it off). Applies from the next horn command that succeeds.</summary>
    public TimeSpan? HornCooldown { get; init; }

    /// <summary>See <see cref="VehicleState.LightsCooldown"/> (0 – 1 day; zero turns it off).</summary>
    public TimeSpan? LightsCooldown { get; init; }

    /// <summary>
    /// A command action running on the car (doors, horn, …) until cleared; <c>""</c> clears it, and also ends a command
    /// still running for <see cref="VehicleState.CommandDuration"/>.
    /// </summary>
    public string? RunningAction { get; init; }

    /// <summary>See <see cref="VehicleState.CommandDuration"/> (0 – 1 day; zero turns it off). Applies from the next command that succeeds.</summary>
    public TimeSpan? CommandDuration { get; init; }

    /// <summary>See <see cref="VehicleState.Enrolled"/>.</summary>
    public bool? Enrolled { get; init; }

    /// <summary>See <see cref="VehicleState.AccountBlocked"/>; false also forgets the wrong PINs.</summary>
    public bool? AccountBlocked { get; init; }

    /// <summary>See <see cref="VehicleState.WrongPinsBeforeBlock"/> (1–100).</summary>
    public int? WrongPinsBeforeBlock { get; init; }

    /// <summary>Which calls need an OTP, keyed <c>pims.vehicle.command</c>, <c>pims.vehicle.command:horn</c>, <c>pims.vehicle.informations:refresh</c>…</summary>
    public IReadOnlyDictionary<string, bool>? StrongAuth { get; init; }
}
