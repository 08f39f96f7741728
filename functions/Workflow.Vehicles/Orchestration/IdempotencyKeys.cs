using System.Globalization;

namespace Workflow.Vehicles.Orchestration;

/// <summary>
/// <c>Idempotency-Key</c> values: <c>{instanceId}:{execution}:{logical step}</c>. The execution part is the input's
/// <see cref="VehicleCommandInput.ExecutionId"/>: the same in every replay of one execution, and different for a new
/// execution under the same instance id (after a purge, say), so the gateway never answers a new command with an old
/// command's cached answer. The step part comes from counters that replay
/// identically, so a redelivered activity and every durable retry of one logical call send the same key.
/// </summary>
internal sealed class IdempotencyKeys(string instanceId, Guid execution)
{
    private readonly string _prefix = string.Create(CultureInfo.InvariantCulture, $"{instanceId}:{execution:N}");

    /// <summary>The <paramref name="n"/>-th call of the command's API: <c>call-1</c> is the first, later ones carry an OTP.</summary>
    public string Call(int n) => string.Create(CultureInfo.InvariantCulture, $"{_prefix}:call-{n}");

    /// <summary>The <paramref name="retry"/>-th repeat of call <paramref name="n"/> after the car answered busy (2353/2364): <c>call-n-busy-r</c>.</summary>
    public string BusyRetry(int n, int retry) => string.Create(CultureInfo.InvariantCulture, $"{_prefix}:call-{n}-busy-{retry}");

    /// <summary>The <paramref name="n"/>-th OTP request: <c>otp-n</c>, then <c>otp-n-reset-r</c> for its resetStep repeats.</summary>
    public string Otp(int n, int reset) => reset == 0
        ? string.Create(CultureInfo.InvariantCulture, $"{_prefix}:otp-{n}")
        : string.Create(CultureInfo.InvariantCulture, $"{_prefix}:otp-{n}-reset-{reset}");
}
