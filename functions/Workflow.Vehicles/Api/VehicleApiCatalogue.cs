using System.Globalization;
using System.Text.Json;
using System.Xml;

namespace Workflow.Vehicles.Api;

/// <summary>The SDK verb a pims API is called with: <c>pims.get</c> (read) or <c>pims.set</c> (act).</summary>
public enum VehicleApiVerb
{
    /// <summary><c>pims.get</c>: <c>POST /v1/pims/get</c>.</summary>
    Get,

    /// <summary><c>pims.set</c>: <c>POST /v1/pims/set</c>.</summary>
    Set,
}

/// <summary>
/// The vehicle APIs the product accepts as commands, with the verb and the parameters of each, as the Mobile SDK v2.3
/// specifies them (<c>shared/reference/mobile-sdk-v2.3.md</c>). The one owner of these rules: the product API validates
/// a start with <see cref="Validate"/> (400 naming the parameter), the orchestrator refuses an input that breaks them,
/// and the client picks the verb with <see cref="VerbOf"/>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>pims.vehicle.command</c> (set), <c>action</c>: <c>doors</c> (<c>doorState</c> lock | unlock), <c>horn</c>,
/// <c>warning</c>, <c>charge</c> (<c>startNow</c>), <c>chargeDeferredTime</c> (<c>startNow</c>, <c>deferredTime</c> an
/// ISO 8601 duration, <c>checkStartCharge</c>), <c>preconditioning</c> (<c>startNow</c>, <c>programs</c>).</item>
/// <item><c>pims.vehicle.informations</c> (get): <c>actionType</c> remote, <c>action</c> get | refresh | refreshWithWakeUp.</item>
/// <item><c>pims.authentication.otp</c> (get) is the workflow's own: never accepted as a command.</item>
/// </list>
/// Every listed parameter is required; a parameter the action does not take is refused too, so a typo never reaches
/// the vehicle.
/// </remarks>
public static class VehicleApiCatalogue
{
    /// <summary>Remote commands: <c>pims.set("pims.vehicle.command", {action, …})</c>.</summary>
    public const string CommandApi = "pims.vehicle.command";

    /// <summary>Reading the vehicle: <c>pims.get("pims.vehicle.informations", {actionType: "remote", action})</c>.</summary>
    public const string InformationsApi = "pims.vehicle.informations";

    /// <summary>The one-time password API, <c>pims.get</c> with <c>action: "withPIN"</c>.</summary>
    public const string OtpApi = VehicleApiCodes.OtpApi;

    /// <summary>The actions of <see cref="CommandApi"/>.</summary>
    public static IReadOnlyList<string> CommandActions { get; } = ["doors", "horn", "warning", "charge", "chargeDeferredTime", "preconditioning"];

    /// <summary>The actions of <see cref="InformationsApi"/>.</summary>
    public static IReadOnlyList<string> InformationsActions { get; } = ["get", "refresh", "refreshWithWakeUp"];

    /// <summary>The APIs a command may call.</summary>
    public static IReadOnlyList<string> CommandApis { get; } = [CommandApi, InformationsApi];

    /// <summary>The days of <c>programs[].occurrence</c>.</summary>
    public static IReadOnlyList<string> Days { get; } = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    private static readonly Dictionary<string, string[]> CommandParameters = new(StringComparer.Ordinal)
    {
        ["doors"] = ["doorState"],
        ["horn"] = [],
        ["warning"] = [],
        ["charge"] = ["startNow"],
        ["chargeDeferredTime"] = ["startNow", "deferredTime", "checkStartCharge"],
        ["preconditioning"] = ["startNow", "programs"],
    };

    private static readonly string[] ProgramFields = ["hour", "minute", "isEnabled", "occurrence", "slot"];

    /// <summary>The verb of <paramref name="api"/>: <see cref="VehicleApiVerb.Set"/> for remote commands, <see cref="VehicleApiVerb.Get"/> otherwise.</summary>
    public static VehicleApiVerb VerbOf(string api) =>
        string.Equals(api, CommandApi, StringComparison.Ordinal) ? VehicleApiVerb.Set : VehicleApiVerb.Get;

    /// <summary>Whether <paramref name="api"/> is the OTP API, whatever its case: the workflow's own, never a command.</summary>
    public static bool IsOtpApi(string? api) => string.Equals(api?.Trim(), OtpApi, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Checks a command's API and parameters against the catalogue. Returns the problems keyed by the field they are
    /// about (<c>api</c>, <c>parameters</c>, <c>parameters.doorState</c>, <c>parameters.programs[0].hour</c>…), empty
    /// when the command is valid.
    /// </summary>
    public static Dictionary<string, string[]> Validate(string api, JsonElement? parameters)
    {
        ArgumentNullException.ThrowIfNull(api);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (IsOtpApi(api))
        {
            errors["api"] = [$"{OtpApi} cannot be started as a command: the workflow requests the OTP itself. Send the PIN to the command's pinPostUri."];
            return errors;
        }

        if (!CommandApis.Contains(api, StringComparer.Ordinal))
        {
            errors["api"] = [$"api '{api}' is not an API this product sends: use {CommandApi} (remote commands) or {InformationsApi} (reading the vehicle)."];
            return errors;
        }

        if (parameters is not { ValueKind: JsonValueKind.Object } p)
        {
            errors["parameters"] = [parameters is null or { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined }
                ? $"parameters are required for {api}: a JSON object with its action, e.g. {Example(api)}."
                : "parameters must be a JSON object when present."];
            return errors;
        }

        if (api == CommandApi)
        {
            ValidateCommand(p, errors);
        }
        else
        {
            ValidateInformations(p, errors);
        }

        return errors;
    }

    /// <summary>The first problem of <see cref="Validate"/>, as one sentence, or <c>null</c> when there is none.</summary>
    public static string? FirstProblem(string api, JsonElement? parameters)
        => Validate(api, parameters) is { Count: > 0 } errors ? string.Join(" ", errors.SelectMany(e => e.Value)) : null;

    private static string Example(string api) => api == CommandApi
        ? """{"action":"doors","doorState":"lock"}"""
        : """{"actionType":"remote","action":"get"}""";

    private static void ValidateCommand(JsonElement parameters, Dictionary<string, string[]> errors)
    {
        string? action = RequiredEnum(parameters, "action", CommandActions, $"the remote command: {string.Join(", ", CommandActions)}", errors);
        if (action is null)
        {
            return;
        }

        string[] allowed = CommandParameters[action];
        Unknown(parameters, ["action", .. allowed], $"{CommandApi} with action {action}", errors);
        foreach (string name in allowed)
        {
            switch (name)
            {
                case "doorState":
                    RequiredEnum(parameters, name, ["lock", "unlock"], "lock or unlock", errors);
                    break;
                case "startNow" or "checkStartCharge":
                    RequiredBoolean(parameters, name, errors);
                    break;
                case "deferredTime":
                    RequiredDuration(parameters, name, errors);
                    break;
                case "programs":
                    RequiredPrograms(parameters, errors);
                    break;
            }
        }
    }

    private static void ValidateInformations(JsonElement parameters, Dictionary<string, string[]> errors)
    {
        Unknown(parameters, ["actionType", "action"], InformationsApi, errors);
        RequiredEnum(parameters, "actionType", ["remote"], "remote", errors);
        RequiredEnum(parameters, "action", InformationsActions, string.Join(", ", InformationsActions), errors);
    }

    private static void Unknown(JsonElement parameters, string[] allowed, string what, Dictionary<string, string[]> errors)
    {
        foreach (JsonProperty property in parameters.EnumerateObject())
        {
            if (!allowed.Contains(property.Name, StringComparer.Ordinal))
            {
                errors[Field(property.Name)] = [$"parameters.{property.Name} is not a parameter of {what}; it takes {(allowed.Length == 1 ? "only action" : string.Join(", ", allowed))}."];
            }
        }
    }

    private static string? RequiredEnum(JsonElement parameters, string name, IReadOnlyList<string> values, string expected, Dictionary<string, string[]> errors)
    {
        if (!parameters.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            errors[Field(name)] = [$"parameters.{name} is required: {expected}."];
            return null;
        }

        if (value.ValueKind != JsonValueKind.String || !values.Contains(value.GetString(), StringComparer.Ordinal))
        {
            errors[Field(name)] = [$"parameters.{name} must be {(values.Count == 1 ? $"\"{values[0]}\"" : "one of " + string.Join(", ", values))}."];
            return null;
        }

        return value.GetString();
    }

    private static void RequiredBoolean(JsonElement parameters, string name, Dictionary<string, string[]> errors)
    {
        if (!parameters.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            errors[Field(name)] = [$"parameters.{name} is required: true or false."];
        }
        else if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            errors[Field(name)] = [$"parameters.{name} must be a boolean (true or false)."];
        }
    }

    private static void RequiredDuration(JsonElement parameters, string name, Dictionary<string, string[]> errors)
    {
        if (!parameters.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            errors[Field(name)] = [$"parameters.{name} is required: an ISO 8601 duration such as PT22H30M."];
            return;
        }

        if (value.ValueKind != JsonValueKind.String || !IsDuration(value.GetString()!))
        {
            errors[Field(name)] = [$"parameters.{name} must be an ISO 8601 duration string such as PT22H30M."];
        }
    }

    private static bool IsDuration(string text)
    {
        if (!text.StartsWith('P'))
        {
            return false;
        }

        try
        {
            return XmlConvert.ToTimeSpan(text) >= TimeSpan.Zero;
        }
        catch (FormatException)
        {
            return false;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    private static void RequiredPrograms(JsonElement parameters, Dictionary<string, string[]> errors)
    {
        const string name = "programs";
        if (!parameters.TryGetProperty(name, out JsonElement programs) || programs.ValueKind == JsonValueKind.Null)
        {
            errors[Field(name)] = ["parameters.programs is required: an array of {hour, minute, isEnabled, occurrence, slot} (may be empty)."];
            return;
        }

        if (programs.ValueKind != JsonValueKind.Array)
        {
            errors[Field(name)] = ["parameters.programs must be an array of {hour, minute, isEnabled, occurrence, slot}."];
            return;
        }

        int index = 0;
        foreach (JsonElement program in programs.EnumerateArray())
        {
            string at = string.Create(CultureInfo.InvariantCulture, $"programs[{index++}]");
            if (program.ValueKind != JsonValueKind.Object)
            {
                errors[Field(at)] = [$"parameters.{at} must be an object {{hour, minute, isEnabled, occurrence, slot}}."];
                continue;
            }

            foreach (JsonProperty property in program.EnumerateObject())
            {
                if (!ProgramFields.Contains(property.Name, StringComparer.Ordinal))
                {
                    errors[Field($"{at}.{property.Name}")] = [$"parameters.{at}.{property.Name} is not a field of a program; it has {string.Join(", ", ProgramFields)}."];
                }
            }

            RequiredInteger(program, at, "hour", 0, 23, errors);
            RequiredInteger(program, at, "minute", 0, 59, errors);
            RequiredInteger(program, at, "slot", 0, int.MaxValue, errors);
            if (!program.TryGetProperty("isEnabled", out JsonElement enabled) || enabled.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                errors[Field($"{at}.isEnabled")] = [$"parameters.{at}.isEnabled is required: true or false."];
            }

            if (!program.TryGetProperty("occurrence", out JsonElement days) || days.ValueKind != JsonValueKind.Array || days.GetArrayLength() == 0
                || days.EnumerateArray().Any(d => d.ValueKind != JsonValueKind.String || !Days.Contains(d.GetString(), StringComparer.Ordinal))
                || days.EnumerateArray().Select(d => d.GetString()).Distinct(StringComparer.Ordinal).Count() != days.GetArrayLength())
            {
                errors[Field($"{at}.occurrence")] = [$"parameters.{at}.occurrence is required: a non-empty array of distinct days among {string.Join(", ", Days)}."];
            }
        }
    }

    private static void RequiredInteger(JsonElement program, string at, string name, int min, int max, Dictionary<string, string[]> errors)
    {
        string range = max == int.MaxValue ? $"an integer of at least {min}" : $"an integer from {min} to {max}";
        if (!program.TryGetProperty(name, out JsonElement value) || value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out int number) || number < min || number > max)
        {
            errors[Field($"{at}.{name}")] = [$"parameters.{at}.{name} is required: {range}."];
        }
    }

    private static string Field(string name) => "parameters." + name;
}
