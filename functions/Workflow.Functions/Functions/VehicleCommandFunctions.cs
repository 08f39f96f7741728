using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Workflow.Vehicles;
using Workflow.Vehicles.Activities;
using Workflow.Vehicles.Api;

namespace Workflow.Functions.Functions;

/// <summary>
/// The <c>VehicleCommand</c> orchestrator and its activities as Durable Functions triggers: each one hands over to the
/// workflow's own class, the one the local host registers with its Microsoft.DurableTask worker.
/// </summary>
public sealed class VehicleCommandFunctions(CallVehicleApiActivity callVehicleApi, RequestVehicleOtpActivity requestOtp)
{
    /// <summary>The orchestrator: <see cref="VehicleCommandOrchestrator"/>.</summary>
    [Function(VehicleCommandNames.Orchestrator)]
    public static Task<VehicleCommandResult> RunOrchestrator([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new VehicleCommandOrchestrator().RunAsync(context, context.GetInput<VehicleCommandInput>()!);
    }

    /// <summary>The activity <see cref="CallVehicleApiActivity"/>.</summary>
    [Function(VehicleActivityNames.CallVehicleApi)]
    public Task<VehicleApiMessage> CallVehicleApi([ActivityTrigger] CallVehicleApiInput input, string instanceId)
        => callVehicleApi.RunAsync(new FunctionActivityContext(VehicleActivityNames.CallVehicleApi, instanceId), input);

    /// <summary>The activity <see cref="RequestVehicleOtpActivity"/>.</summary>
    [Function(VehicleActivityNames.RequestOtp)]
    public Task<OtpRequestOutcome> RequestOtp([ActivityTrigger] RequestVehicleOtpInput input, string instanceId)
        => requestOtp.RunAsync(new FunctionActivityContext(VehicleActivityNames.RequestOtp, instanceId), input);

    /// <summary>What an activity knows about its invocation under the Functions host.</summary>
    private sealed class FunctionActivityContext(string name, string instanceId) : TaskActivityContext
    {
        public override TaskName Name { get; } = name;

        public override string InstanceId { get; } = instanceId;
    }
}
