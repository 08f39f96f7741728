using System.Text.Json;
using Workflow.Vehicles.Api;

namespace Workflow.Vehicles;

/// <summary>
/// Checks a command and a PIN before they enter the workflow, so a host can answer 400 with a clear
/// message instead of starting an orchestration that can only fail.
/// </summary>
public static class VehicleCommandValidation
{
    /// <summary>The fewest digits a PIN may have.</summary>
    public const int MinPinLength = 4;

    /// <summary>The most digits a PIN may have.</summary>
    public const int MaxPinLength = 8;

    /// <summary>Longest accepted API name.</summary>
    public const int MaxApiLength = 200;

    /// <summary>Returns why <paramref name="input"/> is not a valid orchestration input, or <c>null</c> when it is.</summary>
    public static string? Validate(VehicleCommandInput? input)
    {
        if (input is null)
        {
            return "The input is required: {\"command\": {\"vin\", \"api\", \"parameters\"}, \"settings\": {…}, \"executionId\": \"…\"}.";
        }

        return Validate(input.Command)
            ?? (input.Settings is null ? "settings are required: start commands through the product API, which takes them from the app's options." : input.Settings.Validate())
            ?? (input.ExecutionId == Guid.Empty ? "executionId is required: a new Guid for every start (the product API sets it)." : null);
    }

    /// <summary>
    /// Returns why <paramref name="request"/> is not a valid command, or <c>null</c> when it is: a VIN, and an API with
    /// parameters as <see cref="VehicleApiCatalogue"/> specifies them.
    /// </summary>
    public static string? Validate(VehicleCommandRequest? request)
    {
        if (request is null)
        {
            return "The command is required: {\"vin\", \"api\", \"parameters\"}.";
        }

        if (!IsValidVin(request.Vin))
        {
            return "vin must be 17 letters or digits (capital letters except I, O and Q).";
        }

        if (string.IsNullOrWhiteSpace(request.Api) || request.Api.Length > MaxApiLength)
        {
            return $"api is required (1 to {MaxApiLength} characters): {VehicleApiCatalogue.CommandApi} or {VehicleApiCatalogue.InformationsApi}.";
        }

        // Its answer carries an OTP in clear, which would end up in the command's output.
        if (VehicleApiCatalogue.IsOtpApi(request.Api))
        {
            return $"api '{VehicleApiCodes.OtpApi}' cannot be sent as a command; the workflow requests OTPs itself when a call needs one.";
        }

        if (request.Parameters is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null or JsonValueKind.Undefined) })
        {
            return "parameters must be a JSON object when present.";
        }

        // The catalogue's rules, the very ones the product API applies before it starts a command.
        return VehicleApiCatalogue.FirstProblem(request.Api, request.Parameters);
    }

    /// <summary>Whether <paramref name="vin"/> has the shape of a VIN (ISO 3779): 17 digits and capital letters except I, O and Q.</summary>
    public static bool IsValidVin(string? vin)
        => vin is { Length: 17 } && vin.All(c => char.IsAsciiDigit(c) || (char.IsAsciiLetterUpper(c) && c is not ('I' or 'O' or 'Q')));

    /// <summary>Whether <paramref name="pin"/> has the shape of a PIN: 4 to 8 ASCII digits.</summary>
    public static bool IsValidPin(string? pin) => pin is { Length: >= MinPinLength and <= MaxPinLength } && pin.All(char.IsAsciiDigit);
}
