using System.Text.Json;
using Workflow.Vehicles;
using Workflow.Vehicles.Api;

namespace Workflow.Api.Commands;

/// <summary>A valid <c>POST /api/commands</c> body.</summary>
/// <param name="Request">The orchestration input.</param>
/// <param name="InstanceId">The caller's instance id for an idempotent start, or null for a new one.</param>
internal sealed record StartCommand(VehicleCommandRequest Request, string? InstanceId);

/// <summary>
/// Field rules of the product API, with messages that say what a valid value looks like. A command's API and
/// parameters are checked against <see cref="VehicleApiCatalogue"/> before anything starts: each problem is named under
/// <c>errors</c> by its field (<c>api</c>, <c>parameters.action</c>, <c>parameters.doorState</c>, <c>parameters.programs[0].hour</c>…).
/// </summary>
internal static class CommandRequestValidation
{
    public const int MaxApiLength = 128;

    /// <summary>The OTP API is the workflow's business: a caller must not drive it (nor put a PIN in a command's parameters).</summary>
    public const string OtpApi = VehicleApiCodes.OtpApi;

    /// <summary>What the product accepts as <c>api</c>, for messages.</summary>
    public static readonly string AcceptedApis =
        $"{VehicleApiCatalogue.CommandApi} (parameters {{\"action\":\"doors\",\"doorState\":\"lock\"}}, horn, warning, charge, chargeDeferredTime, preconditioning) or {VehicleApiCatalogue.InformationsApi} (parameters {{\"actionType\":\"remote\",\"action\":\"get\"}})";

    public static bool TryParseStart(JsonElement body, out StartCommand? command, out Dictionary<string, string[]> errors)
    {
        errors = [];
        string? vin = ReadString(body, "vin", errors, "vin is required: the vehicle's 17-character VIN.");
        if (vin is not null && !VehicleCommandValidation.IsValidVin(vin))
        {
            errors["vin"] = ["vin must be 17 characters: digits and capital letters except I, O and Q."];
        }

        string? api = ReadString(body, "api", errors, $"api is required: {AcceptedApis}.");
        if (api is not null && !IsValidApiName(api))
        {
            errors["api"] = [$"api must be a pims API name ({AcceptedApis}): 1 to {MaxApiLength} letters, digits, dots, dashes or underscores, starting with a letter."];
            api = null;
        }

        JsonElement? parameters = null;
        bool parametersShaped = true;
        if (body.TryGetProperty("parameters", out JsonElement p) && p.ValueKind != JsonValueKind.Null)
        {
            if (p.ValueKind == JsonValueKind.Object)
            {
                parameters = p.Clone();
            }
            else
            {
                errors["parameters"] = ["parameters must be a JSON object when present."];
                parametersShaped = false;
            }
        }

        // The catalogue (VehicleApiCatalogue) owns which APIs a command may call and what each takes; the OTP API is
        // the workflow's business: a caller must not drive it (nor put a PIN in a command's parameters).
        if (api is not null && (parametersShaped || VehicleApiCatalogue.IsOtpApi(api)))
        {
            foreach ((string field, string[] messages) in VehicleApiCatalogue.Validate(api, parameters))
            {
                errors[field] = messages;
            }
        }

        string? instanceId = null;
        if (body.TryGetProperty("instanceId", out JsonElement id) && id.ValueKind != JsonValueKind.Null)
        {
            if (id.ValueKind == JsonValueKind.String && CommandIds.IsValid(id.GetString()))
            {
                instanceId = id.GetString();
            }
            else
            {
                errors["instanceId"] = [$"instanceId must be a string of {CommandIds.Rule}."];
            }
        }

        command = errors.Count == 0 ? new StartCommand(new VehicleCommandRequest(vin!, api!, parameters), instanceId) : null;
        return command is not null;
    }

    /// <summary>The shape of an API name: 1 to <see cref="MaxApiLength"/> letters, digits, dots, dashes or underscores, starting with a letter.</summary>
    public static bool IsValidApiName(string api)
        => api.Length is > 0 and <= MaxApiLength
            && char.IsAsciiLetter(api[0])
            && api.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');

    /// <summary>Whether an existing instance's input is the same command as <paramref name="request"/>.</summary>
    public static bool IsSameCommand(VehicleCommandRequest existing, VehicleCommandRequest request)
        => string.Equals(existing.Vin, request.Vin, StringComparison.Ordinal)
            && string.Equals(existing.Api, request.Api, StringComparison.Ordinal)
            && ParametersEqual(existing.Parameters, request.Parameters);

    private static bool ParametersEqual(JsonElement? left, JsonElement? right)
    {
        bool leftEmpty = left is null || left.Value.ValueKind == JsonValueKind.Null;
        bool rightEmpty = right is null || right.Value.ValueKind == JsonValueKind.Null;
        return leftEmpty || rightEmpty ? leftEmpty == rightEmpty : JsonElement.DeepEquals(left!.Value, right!.Value);
    }

    private static string? ReadString(JsonElement body, string name, Dictionary<string, string[]> errors, string missing)
    {
        if (!body.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            errors[name] = [missing];
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors[name] = [$"{name} must be a string."];
            return null;
        }

        string text = value.GetString()!;
        if (text.Length == 0)
        {
            errors[name] = [missing];
            return null;
        }

        return text;
    }
}
