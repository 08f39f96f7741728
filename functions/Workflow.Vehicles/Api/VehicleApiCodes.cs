namespace Workflow.Vehicles.Api;

/// <summary>
/// API names and error codes of the pims message API that the workflow acts on, as the Mobile SDK v2.3 specifies
/// them (<c>shared/reference/mobile-sdk-v2.3.md</c>). Every other code is passed through as a <c>VehicleError</c>.
/// </summary>
public static class VehicleApiCodes
{
    /// <summary>The API that turns a PIN into a one-time password (<c>action: "withPIN"</c>).</summary>
    public const string OtpApi = "pims.authentication.otp";

    /// <summary>The OTP action this workflow uses.</summary>
    public const string WithPinAction = "withPIN";

    /// <summary>"Timeout" (transient).</summary>
    public const int Timeout = 2201;

    /// <summary>"Network problem : No internet" (transient).</summary>
    public const int NetworkProblem = 2202;

    /// <summary>"Server Error" (transient).</summary>
    public const int ServerError = 2204;

    /// <summary>"Need Basic Authentication (to get CVS token)": the gateway token expired; the client renews it and repeats the call once.</summary>
    public const int NeedBasicAuthentication = 2301;

    /// <summary>"Need Strong Authentication": the call needs an OTP.</summary>
    public const int NeedStrongAuthentication = 2302;

    /// <summary>"inwebo: access refused": the OTP request's PIN is wrong.</summary>
    public const int WrongPin = 2308;

    /// <summary>"inwebo: account is blocked": too many wrong PINs; no PIN will work until the account is reset.</summary>
    public const int AccountBlocked = 2310;

    /// <summary>OTP request refused because the strong-authentication device is disabled or unknown; repeat it with <c>resetStep: true</c>.</summary>
    public const int StepInvalid = 2312;

    /// <summary>"inwebo: User must activate inWebo …": the user must enrol for strong authentication first.</summary>
    public const int EnrollmentRequired = 2313;

    /// <summary>"inwebo: No service is available" (transient).</summary>
    public const int NoServiceAvailable = 2314;

    /// <summary>OTP request refused as a forbidden operation (stale state); repeat it with <c>resetStep: true</c>.</summary>
    public const int StepCacheExpired = 2317;

    /// <summary>"Command can't be execute another command are ongoing": busy, try later.</summary>
    public const int AnotherCommandOngoing = 2353;

    /// <summary>"Command can't be execute because same command are ongoing": busy, try later.</summary>
    public const int SameCommandOngoing = 2364;

    /// <summary>"Broker connexion failed" (transient).</summary>
    public const int BrokerConnectionFailed = 2377;

    /// <summary>SDK message status of a successful call.</summary>
    public const string Succeeded = "SUCCEEDED";

    /// <summary>SDK message status of a failed call.</summary>
    public const string Failed = "FAILED";

    /// <summary>
    /// Error code reported when the gateway stayed unreachable (5xx, 408, 429, timeouts, connection errors, transient
    /// pims codes) after every retry. Like every failure the workflow makes up itself it uses the HTTP status space,
    /// which never collides with pims codes (2xxx).
    /// </summary>
    public const int Unavailable = 503;

    /// <summary>Whether an OTP request failure is cured by repeating it with <c>resetStep: true</c>.</summary>
    public static bool NeedsResetStep(int code) => code is StepCacheExpired or StepInvalid;

    /// <summary>Whether a FAILED answer says the gateway or the car could not be reached: retried with back-off like an HTTP outage.</summary>
    public static bool IsTransient(int code) => code is Timeout or NetworkProblem or ServerError or NoServiceAvailable or BrokerConnectionFailed;

    /// <summary>Whether a FAILED answer says a command is already running on the car: retried after a delay.</summary>
    public static bool IsBusy(int code) => code is AnotherCommandOngoing or SameCommandOngoing;
}
