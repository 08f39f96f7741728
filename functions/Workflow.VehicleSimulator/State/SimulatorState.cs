using Workflow.VehicleSimulator.Faults;

namespace Workflow.VehicleSimulator.State;

/// <summary>
/// All mutable state of one simulator instance. Each store is thread-safe on its own; <see cref="Gate"/>
/// additionally serialises the multi-store steps of a pims call (idempotency check, OTP consumption,
/// answer) and a reset, so two concurrent requests with the same Idempotency-Key cannot both act.
/// Lock order: <see cref="Gate"/> first, then a store's own lock.
/// </summary>
internal sealed class SimulatorState(VehicleSimulatorOptions options, TimeProvider time)
{
    public Lock Gate { get; } = new();

    public TimeProvider Time { get; } = time;

    public VehicleRegistry Vehicles { get; } = new(options, time);

    public OtpStore Otps { get; } = new(time, options.OtpLifetime);

    public IdempotencyCache Idempotency { get; } = new(time, options.IdempotencyRetention);

    public RequestLog Requests { get; } = new(options.RequestLogCapacity);

    public FaultInjector Faults { get; } = new(time);

    /// <summary>Back to a fresh start. Access tokens survive: clients need not re-authenticate after a test resets the simulator.</summary>
    public void Reset()
    {
        lock (Gate)
        {
            Vehicles.Clear();
            Otps.Clear();
            Idempotency.Clear();
            Requests.Clear();
            Faults.Clear();
        }
    }
}
