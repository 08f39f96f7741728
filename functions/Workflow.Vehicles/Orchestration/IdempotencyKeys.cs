using System.Globalization;

namespace Workflow.Vehicles.Orchestration;

/// <summary>
/// <c>Idempotency-Key</c> values: <c>{instanceId}:{logical step}</c>. Computed by the orchestrator from
/// counters that replay identically, so a redelivered activity and every durable retry of the same
/// logical call send the same key, while each new logical call gets a new one.
/// </summary>
internal static class IdempotencyKeys
{
    /// <summary>The <paramref name="n"/>-th call of the command's API: <c>call-1</c> is the first, later ones carry an OTP.</summary>
    public static string Call(string instanceId, int n) =>
        string.Create(CultureInfo.InvariantCulture, $"{instanceId}:call-{n}");

    /// <summary>The <paramref name="n"/>-th OTP request: <c>otp-n</c>, then <c>otp-n-reset-r</c> for its resetStep repeats.</summary>
    public static string Otp(string instanceId, int n, int reset) => reset == 0
        ? string.Create(CultureInfo.InvariantCulture, $"{instanceId}:otp-{n}")
        : string.Create(CultureInfo.InvariantCulture, $"{instanceId}:otp-{n}-reset-{reset}");
}
