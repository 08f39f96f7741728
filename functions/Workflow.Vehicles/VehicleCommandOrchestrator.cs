using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Workflow.Durable;
using Workflow.Vehicles.Options;
using Workflow.Vehicles.Orchestration;

namespace Workflow.Vehicles;

/// <summary>
/// The <see cref="VehicleCommandNames.Orchestrator"/> orchestration: calls a vehicle API and, when it
/// answers 2302, waits for the user's PIN (<see cref="VehicleCommandNames.PinEvent"/>), turns it into an
/// OTP (with <c>resetStep</c> on 2317/2312) and repeats the call with it. See the project README for
/// the full flow.
/// </summary>
/// <remarks>
/// Options come through the constructor: the runtime creates the orchestrator for every step, and
/// reading options is deterministic only because they are fixed for the lifetime of the process.
/// </remarks>
public sealed class VehicleCommandOrchestrator(IOptions<VehicleWorkflowOptions> options, ILogger<VehicleCommandOrchestrator> logger)
    : TaskOrchestrator<VehicleCommandRequest, VehicleCommandResult>
{
    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The command is not valid (see <see cref="VehicleCommandValidation"/>).</exception>
    public override Task<VehicleCommandResult> RunAsync(TaskOrchestrationContext context, VehicleCommandRequest input)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (VehicleCommandValidation.Validate(input) is { } problem)
        {
            throw new ArgumentException($"Invalid vehicle command: {problem}", nameof(input));
        }

        var run = new VehicleCommandRun(context, input, options.Value, context.CreateReplaySafeLogger(logger));
        return run.ExecuteAsync();
    }
}
