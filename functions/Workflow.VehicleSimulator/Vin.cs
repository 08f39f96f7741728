using System.Diagnostics.CodeAnalysis;

namespace Workflow.VehicleSimulator;

/// <summary>
/// VIN syntax check. The simulator keys all per-vehicle state by VIN, so rejecting garbage early keeps
/// a typo from silently creating a second "vehicle". Case is kept: VINs are compared as sent.
/// </summary>
internal static class Vin
{
    public const int Length = 17;

    public static bool IsValid([NotNullWhen(true)] string? vin) =>
        vin is { Length: Length } && vin.All(char.IsAsciiLetterOrDigit);

    public const string Rule = "vin must be 17 ASCII letters or digits.";
}
