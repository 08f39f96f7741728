using System.ComponentModel.DataAnnotations;

namespace Workflow.Vehicles.Options;

/// <summary>
/// How to reach the vehicle API gateway (configuration section <c>VehicleApi</c>), validated at start-up.
/// The client id and secret are not here: they are secrets, read through the app's secret store.
/// </summary>
public sealed class VehicleApiOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "VehicleApi";

    /// <summary>Base address of the gateway, e.g. <c>http://127.0.0.1:7072/</c> for the local simulator.</summary>
    [Required(ErrorMessage = "VehicleApi:BaseUrl is required: the absolute http(s) address of the vehicle API gateway, e.g. http://127.0.0.1:7072/.")]
    public Uri? BaseUrl { get; set; }

    /// <summary>Time limit of one HTTP attempt.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00", ErrorMessage = "VehicleApi:AttemptTimeout must be between 00:00:00.100 and 00:05:00.")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Time limit of one request including the HTTP client's quick retries; must exceed <see cref="AttemptTimeout"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:30:00", ErrorMessage = "VehicleApi:TotalTimeout must be between 00:00:00.100 and 00:30:00.")]
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Quick retries in the HTTP client on 5xx, 408, 429, timeouts and connection errors. Longer outages
    /// are left to the orchestration's durable retries (<see cref="VehicleWorkflowOptions.RetryMaxAttempts"/>).
    /// </summary>
    [Range(1, 10, ErrorMessage = "VehicleApi:RetryCount must be between 1 and 10.")]
    public int RetryCount { get; set; } = 3;

    /// <summary>Base delay of the quick retries (exponential with jitter); a <c>Retry-After</c> header wins.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00", ErrorMessage = "VehicleApi:RetryBaseDelay must be between 00:00:00.001 and 00:01:00.")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>An access token is renewed this long before it expires, so a request never leaves with a token about to lapse.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:30:00", ErrorMessage = "VehicleApi:TokenRefreshMargin must be between 00:00:00 and 00:30:00.")]
    public TimeSpan TokenRefreshMargin { get; set; } = TimeSpan.FromMinutes(1);
}
