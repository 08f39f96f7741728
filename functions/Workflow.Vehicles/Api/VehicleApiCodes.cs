namespace Workflow.Vehicles.Api;

/// <summary>API names and error codes of the pims message API that the workflow acts on.</summary>
public static class VehicleApiCodes
{
    /// <summary>The API that turns a PIN into a one-time password (<c>action: "withPIN"</c>).</summary>
    public const string OtpApi = "pims.authentication.otp";

    /// <summary>The OTP action this workflow uses.</summary>
    public const string WithPinAction = "withPIN";

    /// <summary>"Need Strong Authentication": the call needs an OTP.</summary>
    public const int NeedStrongAuthentication = 2302;

    /// <summary>OTP request refused because the step cache is stale; repeat it with <c>resetStep: true</c>.</summary>
    public const int StepCacheExpired = 2317;

    /// <summary>OTP request refused because the strong-authentication step is invalid; repeat it with <c>resetStep: true</c>.</summary>
    public const int StepInvalid = 2312;

    /// <summary>SDK message status of a successful call.</summary>
    public const string Succeeded = "SUCCEEDED";

    /// <summary>SDK message status of a failed call.</summary>
    public const string Failed = "FAILED";

    /// <summary>
    /// Error code reported when the gateway stayed unreachable (5xx, 408, 429, timeouts, connection errors)
    /// after every retry. Like every HTTP-level failure it uses the HTTP status space, which never collides
    /// with pims codes (2xxx).
    /// </summary>
    public const int Unavailable = 503;

    /// <summary>Whether an OTP request failure is cured by repeating it with <c>resetStep: true</c>.</summary>
    public static bool NeedsResetStep(int code) => code is StepCacheExpired or StepInvalid;
}
