using System.ComponentModel.DataAnnotations;

namespace Workflow.Vehicles.Options;

/// <summary>
/// Limits and timeouts of the vehicle command orchestration (configuration section <c>VehicleWorkflow</c>),
/// validated at start-up.
/// </summary>
/// <remarks>
/// The orchestrator never reads these: a command takes a snapshot of them into its input when it starts
/// (<see cref="Orchestration.VehicleCommandSettings"/>), so a change applies to new commands only and a running
/// one replays with the values it started with.
/// </remarks>
public sealed class VehicleWorkflowOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "VehicleWorkflow";

    /// <summary>How long the orchestration waits for each PIN before ending with <c>PinTimeout</c>.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "VehicleWorkflow:PinTimeout must be between 00:00:01 and 1.00:00:00 (one day).")]
    public TimeSpan PinTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>PIN attempts allowed per command (each OTP request made with a PIN uses one) before <c>PinAttemptsExhausted</c>.</summary>
    [Range(1, 10, ErrorMessage = "VehicleWorkflow:MaxPinAttempts must be between 1 and 10.")]
    public int MaxPinAttempts { get; set; } = 3;

    /// <summary>
    /// PIN attempts allowed per vehicle, across all its commands and app instances, within
    /// <see cref="FailedPinAttemptWindow"/>; past it no PIN is sent upstream for that vehicle (<c>PinLockedOut</c>).
    /// Keep it below the gateway's own lock threshold, so a client sending wrong PINs through many commands
    /// never gets the owner's account locked. Attempts count from the moment they are sent; a right PIN clears
    /// the vehicle's failed ones.
    /// </summary>
    [Range(1, 100, ErrorMessage = "VehicleWorkflow:MaxFailedPinAttemptsPerVehicle must be between 1 and 100.")]
    public int MaxFailedPinAttemptsPerVehicle { get; set; } = 5;

    /// <summary>
    /// How long a PIN attempt counts against <see cref="MaxFailedPinAttemptsPerVehicle"/>: the window slides, each
    /// attempt expiring this long after it was made. At least as long as the gateway remembers failed PINs.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00", ErrorMessage = "VehicleWorkflow:FailedPinAttemptWindow must be between 00:00:01 and 7.00:00:00.")]
    public TimeSpan FailedPinAttemptWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a PIN sent upstream may wait for its answer before it is presumed wrong (its answer lost, say, in a
    /// crash: the gateway may have counted it). Until then it only takes a place among the vehicle's PINs in flight.
    /// Longer than one gateway request with its retries (<c>VehicleApi:TotalTimeout</c>).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "VehicleWorkflow:PinInFlightTimeout must be between 00:00:01 and 01:00:00.")]
    public TimeSpan PinInFlightTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How many times an OTP request that failed with 2317/2312 is repeated with <c>resetStep: true</c> before <c>OtpFailed</c>.</summary>
    [Range(0, 5, ErrorMessage = "VehicleWorkflow:ResetStepRetries must be between 0 and 5.")]
    public int ResetStepRetries { get; set; } = 1;

    /// <summary>
    /// Durable retries of an activity whose vehicle API call failed transiently even after the HTTP
    /// client's own quick retries: total attempts, including the first.
    /// </summary>
    [Range(1, 50, ErrorMessage = "VehicleWorkflow:RetryMaxAttempts must be between 1 and 50.")]
    public int RetryMaxAttempts { get; set; } = 5;

    /// <summary>Wait (a durable timer) before the first durable retry.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00", ErrorMessage = "VehicleWorkflow:RetryFirstInterval must be between 00:00:00.010 and 01:00:00.")]
    public TimeSpan RetryFirstInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Multiplier applied to the wait after each durable retry.</summary>
    [Range(1.0, 10.0, ErrorMessage = "VehicleWorkflow:RetryBackoffCoefficient must be between 1 and 10.")]
    public double RetryBackoffCoefficient { get; set; } = 2.0;

    /// <summary>Longest single wait between durable retries.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00", ErrorMessage = "VehicleWorkflow:RetryMaxInterval must be between 00:00:00.010 and 1.00:00:00.")]
    public TimeSpan RetryMaxInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Default of <see cref="BusyRetryAttempts"/>.</summary>
    public const int DefaultBusyRetryAttempts = 3;

    /// <summary>Default of <see cref="BusyRetryDelay"/>.</summary>
    public static readonly TimeSpan DefaultBusyRetryDelay = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How many times a call the car answered 2353/2364 (a command already running) is repeated, each after
    /// <see cref="BusyRetryDelay"/>, before the command ends with <c>VehicleBusy</c>. 0: never repeated.
    /// </summary>
    [Range(0, 20, ErrorMessage = "VehicleWorkflow:BusyRetryAttempts must be between 0 and 20.")]
    public int BusyRetryAttempts { get; set; } = DefaultBusyRetryAttempts;

    /// <summary>Wait (a durable timer) before repeating a call the car answered busy (2353/2364).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00", ErrorMessage = "VehicleWorkflow:BusyRetryDelay must be between 00:00:00.010 and 01:00:00.")]
    public TimeSpan BusyRetryDelay { get; set; } = DefaultBusyRetryDelay;

    /// <summary>Overall budget of durable retries for one logical call; past it the command ends with <c>VehicleUnavailable</c>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "7.00:00:00", ErrorMessage = "VehicleWorkflow:RetryTimeout must be between 00:00:00.010 and 7.00:00:00.")]
    public TimeSpan RetryTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The rules between settings, which their ranges cannot express; <c>null</c> when they hold.</summary>
    public string? CheckConsistency() =>
        RetryMaxInterval < RetryFirstInterval ? "VehicleWorkflow:RetryMaxInterval must not be shorter than VehicleWorkflow:RetryFirstInterval."
        : RetryTimeout < RetryFirstInterval ? "VehicleWorkflow:RetryTimeout must not be shorter than VehicleWorkflow:RetryFirstInterval."
        : null;
}
