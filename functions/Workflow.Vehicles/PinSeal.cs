using System.Globalization;

namespace Workflow.Vehicles;

/// <summary>
/// What a sealed PIN holds: the PIN bound to the command and the PIN round it was submitted for. The PIN endpoint
/// composes it before sealing; the OTP activity, after unsealing, accepts it only for that command and round. So a
/// sealed value copied from elsewhere (another command, an earlier round, a sealed OTP) is not a PIN here.
/// </summary>
public static class PinSeal
{
    private const string Version = "pin1";
    private const char Separator = '\n';

    /// <summary>The text to seal for <paramref name="pin"/>, submitted to <paramref name="instanceId"/> in round <paramref name="round"/>.</summary>
    public static string Compose(string instanceId, int round, string pin)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        ArgumentOutOfRangeException.ThrowIfLessThan(round, 1);
        if (!VehicleCommandValidation.IsValidPin(pin))
        {
            throw new ArgumentException($"The PIN must be {VehicleCommandValidation.MinPinLength} to {VehicleCommandValidation.MaxPinLength} digits.", nameof(pin));
        }

        return string.Join(Separator, Version, instanceId, round.ToString(CultureInfo.InvariantCulture), pin);
    }

    /// <summary>The PIN in <paramref name="unsealed"/> when it was composed for <paramref name="instanceId"/> and <paramref name="round"/>.</summary>
    public static bool TryOpen(string unsealed, string instanceId, int round, out string pin)
    {
        ArgumentNullException.ThrowIfNull(unsealed);
        string[] parts = unsealed.Split(Separator);
        bool valid = parts.Length == 4
            && parts[0] == Version
            && string.Equals(parts[1], instanceId, StringComparison.Ordinal)
            && parts[2] == round.ToString(CultureInfo.InvariantCulture)
            && VehicleCommandValidation.IsValidPin(parts[3]);
        pin = valid ? parts[3] : string.Empty;
        return valid;
    }
}
