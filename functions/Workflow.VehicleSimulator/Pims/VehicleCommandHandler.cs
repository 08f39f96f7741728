using System.Text.Json;
using Workflow.VehicleSimulator.State;

namespace Workflow.VehicleSimulator.Pims;

/// <summary>
/// <c>pims.vehicle.command</c> and <c>pims.vehicle.informations</c> on the scriptable car (<see cref="SimulatedVehicle"/>):
/// a command already running answers 2353/2364; a call that needs strong authentication answers 2302 unless it carries
/// a valid OTP, which it consumes; then the car's state may refuse the action with its specific code, or the action
/// changes the state, and leaves behind what the car does afterwards: the horn's or the lights' cooldown (2358/2359 for
/// a repeat meanwhile) and the command running for the command duration (2364/2353 meanwhile).
/// </summary>
internal static class VehicleCommandHandler
{
    public static PimsMessage Handle(PimsCall call, string transactionId, SimulatorState state, VehicleSimulatorOptions options)
    {
        string? action = call.Parameters.TryGetProperty("action", out var a) ? a.GetString() : null;
        var now = state.Time.GetUtcNow();
        return state.Vehicles.Update(call.Vin, vehicle =>
        {
            if (call.Api == PimsCodes.CommandApi && vehicle.RunningAt(now) is { } running)
            {
                return PimsMessage.Failed(transactionId, running == action ? PimsCodes.SameCommandOngoing : PimsCodes.AnotherCommandOngoing);
            }

            if (vehicle.NeedsStrongAuth(call.Api, action) && (call.Otp is null || !state.Otps.TryConsume(call.Vin, call.Otp)))
            {
                return PimsMessage.Failed(transactionId, PimsCodes.NeedStrongAuthentication);
            }

            if (call.Api == PimsCodes.InformationsApi)
            {
                return PimsMessage.Succeeded(transactionId, new
                {
                    vin = call.Vin,
                    api = call.Api,
                    action,
                    vehicle = new
                    {
                        doors = vehicle.DoorsLocked ? "locked" : "unlocked",
                        doorOpen = vehicle.DoorOpen,
                        engineRunning = vehicle.EngineRunning,
                        charging = vehicle.Charging,
                        preconditioning = vehicle.Preconditioning,
                    },
                    retrievedAt = now,
                });
            }

            if (Refusal(vehicle, action!, call.Parameters, now) is { } refusal)
            {
                return PimsMessage.Failed(transactionId, refusal, action: action);
            }

            vehicle.Executed(action!, now, options);

            return PimsMessage.Succeeded(transactionId, new { vin = call.Vin, api = call.Api, action, parameters = call.Parameters, executedAt = now });
        });
    }

    /// <summary>The code the car refuses the action with, or null after carrying it out.</summary>
    private static int? Refusal(SimulatedVehicle vehicle, string action, JsonElement parameters, DateTimeOffset now)
    {
        bool startNow = parameters.TryGetProperty("startNow", out var s) && s.ValueKind == JsonValueKind.True;
        switch (action)
        {
            case "doors":
                bool lockThem = parameters.GetProperty("doorState").GetString() == "lock";
                if (vehicle.DoorOpen)
                {
                    return PimsCodes.DoorOpen;
                }

                if (vehicle.DoorsLocked == lockThem)
                {
                    return lockThem ? PimsCodes.DoorsLocked : PimsCodes.DoorsUnlocked;
                }

                vehicle.DoorsLocked = lockThem;
                return null;
            case "horn":
                return vehicle.EngineRunning ? PimsCodes.EngineNotStopped : vehicle.HornWaits(now) ? PimsCodes.HornWait : null;
            case "warning":
                return vehicle.EngineRunning ? PimsCodes.EngineNotStopped : vehicle.LightsWait(now) ? PimsCodes.LightsWait : null;
            case "charge" or "chargeDeferredTime":
                if (!startNow)
                {
                    vehicle.Charging = false;
                    return null;
                }

                int? chargeRefusal = vehicle.EngineRunning ? PimsCodes.EngineNotStopped
                    : vehicle.ChargingStandby ? PimsCodes.ChargingStandby
                    : vehicle.Charging ? PimsCodes.ChargingOngoing
                    : null;
                vehicle.Charging |= chargeRefusal is null;
                return chargeRefusal;
            case "preconditioning":
                if (startNow)
                {
                    int? startRefusal = vehicle.Preconditioning ? PimsCodes.PreconditioningOngoing
                        : vehicle.EngineRunning ? PimsCodes.EngineNotStopped
                        : null;
                    vehicle.Preconditioning |= startRefusal is null;
                    return startRefusal;
                }

                int? stopRefusal = vehicle.EngineRunning ? PimsCodes.StopPreconditioningEngineNotStopped
                    : !vehicle.Preconditioning ? PimsCodes.PreconditioningNotRunning
                    : null;
                if (stopRefusal is null)
                {
                    vehicle.Preconditioning = false;
                }

                return stopRefusal;
            default:
                return null;
        }
    }
}
