using System.Text.Json;
using System.Xml;

namespace Workflow.VehicleSimulator.Pims;

/// <summary>
/// The gateway's side of the SDK catalogue: which verb each API takes and which parameters, answered with 2101
/// "Missing [PARAMETER] parameter" / 2102 "Invalid [PARAMETER] parameter" as the spec words them. The simulator keeps
/// its own copy of the rules (it stands for the real gateway, which the product's catalogue must match).
/// </summary>
internal static class PimsCatalogue
{
    public const string Get = "get";
    public const string Set = "set";

    private static readonly string[] Days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    /// <summary>The actions of <c>pims.vehicle.command</c>.</summary>
    public static IReadOnlyList<string> RemoteActions { get; } = ["doors", "horn", "warning", "charge", "chargeDeferredTime", "preconditioning"];

    /// <summary>The verb of a known API; null for an API the gateway does not have.</summary>
    public static string? VerbOf(string api) => api switch
    {
        PimsCodes.CommandApi => Set,
        PimsCodes.InformationsApi or PimsCodes.OtpApi => Get,
        _ => null,
    };

    /// <summary>
    /// Whether an expired gateway token gets this call 2301 "Need Basic Authentication (to get CVS token)". The spec lists
    /// 2301 among the generic codes of every remote command "except horn": sounding the horn needs no CVS token, so the
    /// gateway carries it out with an expired one. Every other call answers 2301.
    /// </summary>
    public static bool NeedsBasicAuthentication(PimsCall call) =>
        !(call.Api == PimsCodes.CommandApi
            && call.Parameters.TryGetProperty("action", out JsonElement action)
            && action.ValueKind == JsonValueKind.String
            && action.GetString() == "horn");

    /// <summary>The refusal of a call whose parameters break the catalogue, or null.</summary>
    public static (int Code, string Parameter)? Check(PimsCall call) => call.Api switch
    {
        PimsCodes.CommandApi => CheckCommand(call.Parameters),
        PimsCodes.InformationsApi => Enum(call.Parameters, "actionType", "remote") ?? Enum(call.Parameters, "action", "get", "refresh", "refreshWithWakeUp"),
        _ => null,
    };

    private static (int, string)? CheckCommand(JsonElement p)
    {
        if (Enum(p, "action", RemoteActions) is { } bad)
        {
            return bad;
        }

        return p.GetProperty("action").GetString() switch
        {
            "doors" => Enum(p, "doorState", "lock", "unlock"),
            "charge" => Boolean(p, "startNow"),
            "chargeDeferredTime" => Boolean(p, "startNow") ?? Duration(p, "deferredTime") ?? Boolean(p, "checkStartCharge"),
            "preconditioning" => Boolean(p, "startNow") ?? Programs(p),
            _ => null,
        };
    }

    private static (int, string)? Enum(JsonElement p, string name, params IReadOnlyList<string> values) =>
        !p.TryGetProperty(name, out JsonElement v) || v.ValueKind == JsonValueKind.Null ? (PimsCodes.MissingParameter, name)
        : v.ValueKind != JsonValueKind.String || !values.Contains(v.GetString()) ? (PimsCodes.InvalidParameter, name)
        : null;

    private static (int, string)? Boolean(JsonElement p, string name) =>
        !p.TryGetProperty(name, out JsonElement v) || v.ValueKind == JsonValueKind.Null ? (PimsCodes.MissingParameter, name)
        : v.ValueKind is not (JsonValueKind.True or JsonValueKind.False) ? (PimsCodes.InvalidParameter, name)
        : null;

    private static (int, string)? Duration(JsonElement p, string name)
    {
        if (!p.TryGetProperty(name, out JsonElement v) || v.ValueKind == JsonValueKind.Null)
        {
            return (PimsCodes.MissingParameter, name);
        }

        try
        {
            return v.ValueKind == JsonValueKind.String && v.GetString()!.StartsWith('P') && XmlConvert.ToTimeSpan(v.GetString()!) >= TimeSpan.Zero
                ? null
                : (PimsCodes.InvalidParameter, name);
        }
        catch (FormatException)
        {
            return (PimsCodes.InvalidParameter, name);
        }
        catch (OverflowException)
        {
            return (PimsCodes.InvalidParameter, name);
        }
    }

    private static (int, string)? Programs(JsonElement p)
    {
        if (!p.TryGetProperty("programs", out JsonElement programs) || programs.ValueKind == JsonValueKind.Null)
        {
            return (PimsCodes.MissingParameter, "programs");
        }

        bool valid = programs.ValueKind == JsonValueKind.Array && programs.EnumerateArray().All(program =>
            program.ValueKind == JsonValueKind.Object
            && Integer(program, "hour", 0, 23)
            && Integer(program, "minute", 0, 59)
            && Integer(program, "slot", 0, int.MaxValue)
            && program.TryGetProperty("isEnabled", out JsonElement enabled) && enabled.ValueKind is JsonValueKind.True or JsonValueKind.False
            && program.TryGetProperty("occurrence", out JsonElement days) && days.ValueKind == JsonValueKind.Array && days.GetArrayLength() > 0
            && days.EnumerateArray().All(d => d.ValueKind == JsonValueKind.String && Days.Contains(d.GetString())));
        return valid ? null : (PimsCodes.InvalidParameter, "programs");
    }

    private static bool Integer(JsonElement program, string name, int min, int max) =>
        program.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int n) && n >= min && n <= max;
}
