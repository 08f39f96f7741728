using Microsoft.Extensions.Options;
using Workflow.Vehicles.Lockout;
using Workflow.Vehicles.Options;

namespace Workflow.Vehicles.Tests.Infrastructure;

/// <summary>
/// The lockout rules (<see cref="PinAttemptLedger"/>) over a dictionary, for a test host that is one process.
/// The function app uses its shared table store instead: attempts must be counted across instances.
/// </summary>
internal sealed class InMemoryPinAttemptLimiter(IOptions<VehicleWorkflowOptions> options, TimeProvider time) : IPinAttemptLimiter
{
    private readonly Dictionary<string, IReadOnlyList<PinAttempt>> _attempts = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public Task<PinAttemptReservation> TryReserveAsync(string vin, string attemptId, CancellationToken cancellationToken)
        => Task.FromResult(Update(vin, ledger => ledger.TryReserve(attemptId)));

    public Task RecordWrongPinAsync(string vin, string attemptId, CancellationToken cancellationToken)
        => Update(vin, ledger => ledger.RecordWrongPin(attemptId));

    public Task RecordRightPinAsync(string vin, string attemptId, CancellationToken cancellationToken)
        => Update(vin, ledger => ledger.RecordRightPin(attemptId));

    public Task ReleaseAsync(string vin, string attemptId, CancellationToken cancellationToken)
        => Update(vin, ledger => ledger.Release(attemptId));

    public Task<PinAttemptReservation> CheckAsync(string vin, CancellationToken cancellationToken)
        => Task.FromResult(Update(vin, ledger => ledger.Check()));

    /// <summary>The attempts recorded for <paramref name="vin"/> that still count.</summary>
    public IReadOnlyList<PinAttempt> AttemptsOf(string vin) => Update(vin, ledger => ledger.Attempts.ToList());

    private Task Update(string vin, Action<PinAttemptLedger> operation)
    {
        Update(vin, ledger =>
        {
            operation(ledger);
            return true;
        });
        return Task.CompletedTask;
    }

    private T Update<T>(string vin, Func<PinAttemptLedger, T> operation)
    {
        lock (_gate)
        {
            PinAttemptLedger ledger = PinAttemptLedger.FromOptions(_attempts.GetValueOrDefault(vin, []), options.Value, time.GetUtcNow());
            T result = operation(ledger);
            if (ledger.HasChanged)
            {
                _attempts[vin] = [.. ledger.Attempts];
            }

            return result;
        }
    }
}
