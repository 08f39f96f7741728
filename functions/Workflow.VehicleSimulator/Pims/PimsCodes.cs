namespace Workflow.VehicleSimulator.Pims;

/// <summary>
/// API names, codes and labels of the pims message as the Mobile SDK v2.3 specifies them
/// (<c>shared/reference/mobile-sdk-v2.3.md</c>); labels are the spec's, typos included. When each code is answered is
/// the simulator's reading of the spec: see the README's error-code table.
/// </summary>
internal static class PimsCodes
{
    /// <summary>The API that turns a PIN into an OTP (<c>pims.get</c>).</summary>
    public const string OtpApi = "pims.authentication.otp";

    /// <summary>Remote commands (<c>pims.set</c>).</summary>
    public const string CommandApi = "pims.vehicle.command";

    /// <summary>Reading the vehicle (<c>pims.get</c>).</summary>
    public const string InformationsApi = "pims.vehicle.informations";

    /// <summary>The OTP action the seeds document.</summary>
    public const string WithPinAction = "withPIN";

    public const int MissingParameter = 2101;
    public const int InvalidParameter = 2102;
    public const int Timeout = 2201;
    public const int NetworkProblem = 2202;
    public const int ServerError = 2204;
    public const int NeedBasicAuthentication = 2301;
    public const int NeedStrongAuthentication = 2302;
    public const int AccessRefused = 2308;
    public const int AccountBlocked = 2310;
    public const int DeviceDisabledOrUnknown = 2312;
    public const int EnrollmentRequired = 2313;
    public const int NoServiceAvailable = 2314;
    public const int ForbiddenOperation = 2317;
    public const int EngineNotStopped = 2329;
    public const int ChargingStandby = 2330;
    public const int ChargingOngoing = 2331;
    public const int PreconditioningOngoing = 2333;
    public const int StopPreconditioningEngineNotStopped = 2335;
    public const int PreconditioningNotRunning = 2336;
    public const int AnotherCommandOngoing = 2353;
    public const int HornWait = 2358;
    public const int LightsWait = 2359;
    public const int DoorsUnlocked = 2360;
    public const int DoorsLocked = 2361;
    public const int DoorOpen = 2362;
    public const int SameCommandOngoing = 2364;
    public const int BrokerConnectionFailed = 2377;

    private static readonly Dictionary<int, string> Labels = new()
    {
        [2000] = "Unknown error",
        [2001] = "Facade not initialized",
        [2006] = "Core not well configured",
        [2101] = "Missing [PARAMETER] parameter",
        [2102] = "Invalid [PARAMETER] parameter",
        [2201] = "Timeout",
        [2202] = "Network problem : No internet",
        [2203] = "Invalid return [Parsing error] ou [No data] ou [invalid Data]",
        [2204] = "Server Error",
        [2301] = "Need Basic Authentication (to get CVS token)",
        [2302] = "Need Strong Authentication",
        [2308] = "inwebo: access refused",
        [2309] = "inwebo: version error",
        [2310] = "inwebo: account is blocked",
        [2311] = "inwebo: internal state not correct",
        [2312] = "inwebo: device is disabled or unknown",
        [2313] = "inwebo: User must activate inWebo helium or inWebo Desktop Token before achieving this operation",
        [2314] = "inwebo: No service is available",
        [2316] = "inwebo: the operation succeeded but it required a post-synchronization which failed",
        [2317] = "inwebo: forbidden operation (due to activated state/blocked state/upgradable state)",
        [2325] = "Immediate charging request discarded, defered hour has been change",
        [2326] = "Defered hour request discarded, immediate charging has been launch",
        [2329] = "Immediate [ACTION] request discarded due to SEV different than STOP.",
        [2330] = "Immediate charging request discarded due to charging system is standby",
        [2331] = "Immediate charging request discarded due to charging already ongoing.",
        [2332] = "Immediate charging request discarded due to communication problem with charging system.",
        [2333] = "Immediate preconditioning request discarded due to preconditioning already ongoing.",
        [2334] = "Immediate preconditioning request discarded due to communication problem with preconditioning system.",
        [2335] = "Stop preconditioning request discarded due to SEV different than STOP.",
        [2336] = "Stop preconditioning request discarded due to precondtioning not running.",
        [2337] = "Charging Defered Hours need to be update",
        [2338] = "Preconditioning program need to be update",
        [2339] = "Service already started",
        [2353] = "Command can't be execute another command are ongoing",
        [2357] = "Doors state need to be update",
        [2358] = "Horn request have been execute with succes earlier wait to send new one",
        [2359] = "Light request have been execute with succes earlier wait to send new one",
        [2360] = "All vehicle's doors are unlocked",
        [2361] = "All vehicle's doors are locked",
        [2362] = "Lock/Unlock request discarded due to door open",
        [2364] = "Command can't be execute because same command are ongoing",
        [2377] = "Broker connexion failed",
    };

    /// <summary>Codes that leave the VIN's step cache stale until a withPIN request carries <c>resetStep: true</c>.</summary>
    public static bool IsStepCacheError(int code) => code is ForbiddenOperation or DeviceDisabledOrUnknown;

    /// <summary>
    /// Answers that say nothing was done and the same request may be sent again (transient and busy codes, 2301): never
    /// remembered under an <c>Idempotency-Key</c>, so a retry with the same key is processed anew.
    /// </summary>
    public static bool IsRetryable(int code) => code is NeedBasicAuthentication or Timeout or NetworkProblem or ServerError or NoServiceAvailable or BrokerConnectionFailed
        or AnotherCommandOngoing or SameCommandOngoing;

    /// <summary>The spec's label of a code; <c>[PARAMETER]</c> and <c>[ACTION]</c> filled in when given. Codes the spec does not list get "Simulated error".</summary>
    public static string LabelOf(int code, string? parameter = null, string? action = null)
    {
        string label = Labels.TryGetValue(code, out string? known) ? known : "Simulated error";
        return label.Replace("[PARAMETER]", parameter ?? "[PARAMETER]", StringComparison.Ordinal)
            .Replace("[ACTION]", action ?? "[ACTION]", StringComparison.Ordinal);
    }
}
