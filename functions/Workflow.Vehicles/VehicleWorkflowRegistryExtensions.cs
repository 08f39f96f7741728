using Microsoft.DurableTask;
using Workflow.Vehicles.Activities;

namespace Workflow.Vehicles;

/// <summary>Registers the vehicle workflow's orchestrator and activities with a Microsoft.DurableTask worker.</summary>
public static class VehicleWorkflowRegistryExtensions
{
    /// <summary>
    /// Adds <see cref="VehicleCommandOrchestrator"/> as <see cref="VehicleCommandNames.Orchestrator"/>, and its
    /// activities <see cref="VehicleActivityNames.CallVehicleApi"/> and <see cref="VehicleActivityNames.RequestOtp"/>.
    /// Pair it with <see cref="VehicleWorkflowServiceCollectionExtensions.AddVehicleWorkflow"/>. Under the Functions
    /// host the same classes run behind function triggers instead (the app's <c>VehicleCommandFunctions</c>).
    /// </summary>
    public static DurableTaskRegistry AddVehicleWorkflow(this DurableTaskRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry
            .AddOrchestrator<VehicleCommandOrchestrator>(VehicleCommandNames.Orchestrator)
            .AddActivity<CallVehicleApiActivity>(VehicleActivityNames.CallVehicleApi)
            .AddActivity<RequestVehicleOtpActivity>(VehicleActivityNames.RequestOtp);
    }
}
