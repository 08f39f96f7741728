using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;

namespace Workflow.VehicleSimulator;

/// <summary>
/// Settings of the vehicle API simulator. Defaults live here rather than in an appsettings.json,
/// because the function app references this project and a second appsettings.json would collide
/// in its output. A standalone run reads overrides from the configuration section
/// <c>VehicleSimulator</c> (e.g. <c>--VehicleSimulator:DefaultPin=654321</c>).
/// </summary>
public sealed class VehicleSimulatorOptions
{
    /// <summary>Configuration section that overrides these settings in a standalone run.</summary>
    public const string SectionName = "VehicleSimulator";

    /// <summary>Address of a standalone run (<c>dotnet run</c>): next to the function app's 7071.</summary>
    public const string StandaloneUrl = "http://127.0.0.1:7072";

    /// <summary>
    /// Address Kestrel binds. Port 0 picks a free port, which is what in-process tests want; the real
    /// address is then <see cref="VehicleSimulatorServer.BaseAddress"/>. Use an IP address with port 0:
    /// Kestrel cannot bind <c>localhost</c> to a dynamic port.
    /// </summary>
    [Required]
    [Url]
    public string Url { get; set; } = "http://127.0.0.1:0";

    /// <summary>OAuth client id accepted by <c>POST /v1/token</c>.</summary>
    [Required]
    public string ClientId { get; set; } = "local-dev-client";

    /// <summary>OAuth client secret accepted by <c>POST /v1/token</c>. Development value, not a real secret.</summary>
    [Required]
    public string ClientSecret { get; set; } = "local-dev-secret";

    /// <summary>Lifetime of an access token.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>PIN of every vehicle without a per-VIN override (<c>PUT /_sim/vehicles/{vin}/pin</c>).</summary>
    [Required]
    [RegularExpression("^[0-9]{4,8}$", ErrorMessage = "DefaultPin must be 4 to 8 digits.")]
    public string DefaultPin { get; set; } = "123456";

    /// <summary>How long an OTP issued by <c>pims.authentication.otp</c> stays usable.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan OtpLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The wrong PIN (2308) that reaches this many in a row blocks the vehicle's strong-authentication account: every
    /// later withPIN answers 2310 until <c>POST /_sim/vehicles/{vin}/unblock</c>. A right PIN resets the count. The
    /// product's default per-vehicle cap (5 wrong PINs) stays below the default. Per vehicle: <c>PUT /_sim/vehicles/{vin}/state</c>.
    /// </summary>
    [Range(1, 100)]
    public int WrongPinsBeforeBlock { get; set; } = 6;

    /// <summary>
    /// After a horn command succeeds, how long the car refuses another one with 2358 "Horn request have been execute
    /// with succes earlier wait to send new one". The spec names the code but no duration: 30 s is the simulator's
    /// choice. Zero turns the cooldown off. Per vehicle: <c>hornCooldown</c> through <c>PUT /_sim/vehicles/{vin}/state</c>.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan HornCooldown { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// After a <c>warning</c> (lights) command succeeds, how long the car refuses another one with 2359 "Light request
    /// have been execute with succes earlier wait to send new one". 30 s, the simulator's choice; zero turns it off.
    /// Per vehicle: <c>lightsCooldown</c>.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan LightsCooldown { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a remote command that succeeded keeps running on the car: meanwhile the same action answers 2364
    /// "Command can't be execute because same command are ongoing" and another one 2353 "… another command are ongoing".
    /// Zero (the default) means a command is over as soon as it is answered. Per vehicle: <c>commandDuration</c>.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan CommandDuration { get; set; } = TimeSpan.Zero;

    /// <summary>How long an <c>Idempotency-Key</c> is remembered; bounds memory in long runs.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan IdempotencyRetention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Most recent request-log entries kept; older ones are dropped so long runs do not grow without bound.</summary>
    [Range(1, 10_000_000)]
    public int RequestLogCapacity { get; set; } = 10_000;

    /// <summary>
    /// Clock of OTP, token and idempotency expiry and of fault delays; null means the system clock.
    /// Tests pass a FakeTimeProvider. In-process only: not read from configuration.
    /// </summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>
    /// Where an in-process server (<see cref="VehicleSimulatorServer"/>) writes its logs; null means
    /// nowhere, so test output stays quiet. Not owned: the server does not dispose it.
    /// In-process only: not read from configuration.
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Copies the settings so a running server is not affected by later changes of the caller's instance.</summary>
    internal VehicleSimulatorOptions Clone() => (VehicleSimulatorOptions)MemberwiseClone();

    /// <summary>Fails fast on settings that would make the simulator misbehave later.</summary>
    /// <exception cref="ValidationException">A setting is out of range.</exception>
    internal void Validate()
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(this, new ValidationContext(this), results, validateAllProperties: true))
        {
            throw new ValidationException(
                "Invalid VehicleSimulator settings: " + string.Join(" ", results.Select(r => r.ErrorMessage)));
        }
    }
}
