using Microsoft.DurableTask;
using Workflow.Vehicles.Orchestration;

namespace Workflow.Vehicles;

/// <summary>
/// The <see cref="VehicleCommandNames.Orchestrator"/> orchestration: calls a vehicle API and, when it
/// answers 2302, waits for the user's PIN (<see cref="VehicleCommandNames.PinEvent"/>), turns it into an
/// OTP (with <c>resetStep</c> on 2317/2312) and repeats the call with it. See the project README for
/// the full flow.
/// </summary>
/// <remarks>
/// Deterministic by construction: everything it reads comes from its input (the command and the settings
/// snapshot taken at start), its history or the context. It has no constructor dependencies, so both hosts
/// create it the same way.
/// </remarks>
public sealed class VehicleCommandOrchestrator : TaskOrchestrator<VehicleCommandInput, VehicleCommandResult>
{
    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The input is not a valid command (see <see cref="VehicleCommandValidation"/>).</exception>
    public override Task<VehicleCommandResult> RunAsync(TaskOrchestrationContext context, VehicleCommandInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (VehicleCommandValidation.Validate(input) is { } problem)
        {
            throw new ArgumentException($"Invalid vehicle command: {problem}", nameof(input));
        }

        var run = new VehicleCommandRun(context, input, context.CreateReplaySafeLogger<VehicleCommandOrchestrator>());
        return run.ExecuteAsync();
    }
}
