namespace Workflow.VehicleSimulator.Pims;

/// <summary>
/// Error codes of the pims message. The seeds (the Mobile SDK OTP page) define 2302, 2317 and 2312,
/// and the label of 2302 only; every other code and label here is the simulator's own choice, so a
/// client must not treat them as the real gateway's.
/// </summary>
internal static class PimsCodes
{
    /// <summary>The API that turns a PIN into an OTP.</summary>
    public const string OtpApi = "pims.authentication.otp";

    /// <summary>The only OTP action the seeds document.</summary>
    public const string WithPinAction = "withPIN";

    /// <summary>Seeds: the API needs an OTP.</summary>
    public const int NeedStrongAuthentication = 2302;

    /// <summary>Seeds (code only): the OTP request must be repeated with <c>resetStep: true</c>.</summary>
    public const int StepCacheExpired = 2317;

    /// <summary>Seeds (code only): the OTP request must be repeated with <c>resetStep: true</c>.</summary>
    public const int StrongAuthenticationStepInvalid = 2312;

    /// <summary>Simulator's choice: the PIN is wrong.</summary>
    public const int InvalidPinCode = 2319;

    /// <summary>Simulator's choice: the OTP request's parameters are missing or wrong.</summary>
    public const int InvalidParameters = 2300;

    /// <summary>Codes that leave the VIN's step cache stale until a request carries <c>resetStep: true</c>.</summary>
    public static bool IsStepCacheError(int code) => code is StepCacheExpired or StrongAuthenticationStepInvalid;

    /// <summary>Label of a code; unknown codes (queued through next-errors) get a generic one.</summary>
    public static string LabelOf(int code) => code switch
    {
        NeedStrongAuthentication => "Need Strong Authentication",
        StepCacheExpired => "Step cache expired",
        StrongAuthenticationStepInvalid => "Strong authentication step invalid",
        InvalidPinCode => "Invalid PIN code",
        InvalidParameters => "Invalid parameters",
        _ => "Simulated error",
    };
}
