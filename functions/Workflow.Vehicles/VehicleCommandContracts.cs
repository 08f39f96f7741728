using System.Text.Json;
using System.Text.Json.Serialization;
using Workflow.Vehicles.Orchestration;

namespace Workflow.Vehicles;

/// <summary>Names clients use to reach the vehicle command orchestration.</summary>
public static class VehicleCommandNames
{
    /// <summary>The orchestrator name (its function name under the Functions host).</summary>
    public const string Orchestrator = "VehicleCommand";

    /// <summary>The external event that carries the user's PIN.</summary>
    public const string PinEvent = "Pin";
}

/// <summary>The orchestration input: one pims API call for one vehicle.</summary>
/// <param name="Vin">The vehicle identification number (17 characters).</param>
/// <param name="Api">The pims API name: <c>pims.vehicle.command</c> or <c>pims.vehicle.informations</c> (<see cref="Api.VehicleApiCatalogue"/>).</param>
/// <param name="Parameters">The API parameters (a JSON object, e.g. <c>{"action":"doors","doorState":"lock"}</c>), passed through unchanged.</param>
public sealed record VehicleCommandRequest(string Vin, string Api, JsonElement? Parameters);

/// <summary>The orchestration input: the command, the settings it runs with, fixed when it starts, and the execution's id.</summary>
/// <param name="Command">What to send to which vehicle.</param>
/// <param name="Settings">The limits of this command (<see cref="VehicleCommandSettings.From"/> at start).</param>
/// <param name="ExecutionId">
/// A new <see cref="Guid"/> for every start, chosen by whoever starts the command: it names this execution in every
/// idempotency key (a command started again under a purged instance id must not get the old command's cached answers)
/// and lets the starter bind what it hands out (the PIN links) to this execution without reading the instance back.
/// </param>
public sealed record VehicleCommandInput(VehicleCommandRequest Command, VehicleCommandSettings Settings, Guid ExecutionId);

/// <summary>
/// The payload of the <see cref="VehicleCommandNames.PinEvent"/> event as the orchestration receives it: the PIN
/// sealed by the product's PIN endpoint (<see cref="PinSeal"/>, then <see cref="ISensitiveDataProtector"/>), so the
/// clear PIN never reaches durable history, and the PIN round it answers.
/// </summary>
/// <param name="SealedPin">The sealed PIN.</param>
/// <param name="Round">The PIN round (<see cref="VehicleCommandStatus.PinRound"/>) it was submitted for; any other round's PIN is ignored.</param>
public sealed record PinSubmission(string SealedPin, int Round);

/// <summary>How a vehicle command ended. The project README's outcome table says which answer leads to which.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<VehicleCommandOutcome>))]
public enum VehicleCommandOutcome
{
    /// <summary>The vehicle API answered SUCCEEDED.</summary>
    Succeeded,

    /// <summary>The vehicle API answered FAILED with a code no other outcome covers (passed through), or refused the request at the HTTP level.</summary>
    VehicleError,

    /// <summary>No PIN arrived before the deadline.</summary>
    PinTimeout,

    /// <summary>Every allowed PIN attempt was wrong (2308).</summary>
    PinAttemptsExhausted,

    /// <summary>The OTP request kept failing with 2317/2312 after resetStep retries.</summary>
    OtpFailed,

    /// <summary>Too many failed PIN attempts for this vehicle across commands; refused to protect the owner's account.</summary>
    PinLockedOut,

    /// <summary>The gateway answered 2310: the owner's strong-authentication account is blocked; no PIN was asked for or sent after it.</summary>
    AccountBlocked,

    /// <summary>The gateway answered 2313: the user must enrol for strong authentication before this operation.</summary>
    EnrollmentRequired,

    /// <summary>The gateway or the car stayed unreachable (HTTP outages, transient codes 2201, 2202, 2204, 2314, 2377) after every retry.</summary>
    VehicleUnavailable,

    /// <summary>The car kept answering 2353/2364 (another or the same command running) after every busy retry.</summary>
    VehicleBusy,
}

/// <summary>Where a running command is, published as the orchestration's custom status.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<VehicleCommandStage>))]
public enum VehicleCommandStage
{
    /// <summary>Calling the vehicle API.</summary>
    CallingVehicle,

    /// <summary>Waiting for the user's PIN.</summary>
    AwaitingPin,

    /// <summary>Requesting a one-time password with the PIN.</summary>
    RequestingOtp,

    /// <summary>Repeating the original call with the OTP.</summary>
    RetryingCall,
}

/// <summary>The custom status of a running command. Never carries the PIN or the OTP.</summary>
/// <param name="Stage">The current stage.</param>
/// <param name="PinAttemptsLeft">While awaiting a PIN: how many PIN attempts remain.</param>
/// <param name="PinDeadline">While awaiting a PIN: when the wait times out (UTC).</param>
/// <param name="LastPinRejected">While awaiting a PIN: whether the previous PIN was wrong.</param>
/// <param name="PinRound">While awaiting a PIN: which PIN wait this is (1, 2, …); each round takes one PIN.</param>
public sealed record VehicleCommandStatus(
    VehicleCommandStage Stage,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? PinAttemptsLeft = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTime? PinDeadline = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? LastPinRejected = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? PinRound = null);

/// <summary>An error as in the SDK message.</summary>
/// <param name="Code">The pims error code (e.g. 2302).</param>
/// <param name="Label">The human-readable label.</param>
public sealed record VehicleError(int Code, string Label);

/// <summary>The orchestration output. Mirrors the SDK message, plus how the strong-auth dance went.</summary>
public sealed record VehicleCommandResult
{
    /// <summary><c>SUCCEEDED</c> or <c>FAILED</c>, as in the SDK message.</summary>
    public required string Status { get; init; }

    /// <summary>The API result on success.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? Result { get; init; }

    /// <summary>The error on failure.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public VehicleError? Error { get; init; }

    /// <summary>The vehicle API's transaction id of the last call, when there was one.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TransactionId { get; init; }

    /// <summary>How the command ended.</summary>
    public required VehicleCommandOutcome Outcome { get; init; }

    /// <summary>PIN attempts used (0 when no strong authentication was needed).</summary>
    public int PinAttemptsUsed { get; init; }

    /// <summary>Whether an OTP request had to be repeated with <c>resetStep: true</c>.</summary>
    public bool ResetStepUsed { get; init; }
}

/// <summary>
/// Seals secrets (the PIN, the OTP) into opaque strings so they can travel through durable history
/// without ever being stored or shown in clear. The host implements it with the app's data key.
/// </summary>
public interface ISensitiveDataProtector
{
    /// <summary>Seals a secret.</summary>
    ValueTask<string> SealAsync(string secret, CancellationToken cancellationToken);

    /// <summary>
    /// Opens a sealed secret. Throws <see cref="SealedSecretRejectedException"/> when the text is not one this app
    /// sealed (malformed, altered); anything else it throws is a host problem.
    /// </summary>
    ValueTask<string> UnsealAsync(string sealedSecret, CancellationToken cancellationToken);
}
