using Microsoft.Extensions.Logging;

namespace Workflow.Vehicles.Orchestration;

/// <summary>What the orchestration logs (through a replay-safe logger): stages and outcomes, never a PIN or an OTP.</summary>
internal static partial class VehicleWorkflowLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Vehicle command {InstanceId}: {Api} for VIN {Vin} needs strong authentication; awaiting a PIN ({AttemptsLeft} attempts left, until {Deadline:O})")]
    public static partial void AwaitingPin(ILogger logger, string instanceId, string api, string vin, int attemptsLeft, DateTime deadline);

    [LoggerMessage(Level = LogLevel.Information, Message = "Vehicle command {InstanceId}: OTP request refused with {ErrorCode} (wrong PIN); the PIN counts as rejected")]
    public static partial void PinRejected(ILogger logger, string instanceId, int errorCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Vehicle command {InstanceId}: a Pin event that is not the PIN of round {PinRound} was ignored; no attempt used")]
    public static partial void PinIgnored(ILogger logger, string instanceId, int pinRound);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Vehicle command {InstanceId}: VIN {Vin} has too many failed PIN attempts across commands; the PIN was not sent and the command ends (locked out until {LockedOutUntil:O})")]
    public static partial void PinLockedOut(ILogger logger, string instanceId, string vin, DateTimeOffset lockedOutUntil);

    [LoggerMessage(Level = LogLevel.Information, Message = "Vehicle command {InstanceId}: OTP request answered {ErrorCode}; repeating it with resetStep")]
    public static partial void ResettingStep(ILogger logger, string instanceId, int errorCode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Vehicle command {InstanceId}: the vehicle is busy ({ErrorCode}); repeating the call ({Retry} of {MaxRetries}) after {Delay}")]
    public static partial void VehicleBusy(ILogger logger, string instanceId, int errorCode, int retry, int maxRetries, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Vehicle command {InstanceId}: {Activity} kept failing transiently; giving up")]
    public static partial void GaveUp(ILogger logger, string instanceId, string activity);

    [LoggerMessage(Level = LogLevel.Information, Message = "Vehicle command {InstanceId}: {Api} for VIN {Vin} finished {Outcome} ({Status} {ErrorCode}, transaction {TransactionId}, PIN attempts {PinAttemptsUsed})")]
    public static partial void Finished(ILogger logger, string instanceId, string api, string vin, VehicleCommandOutcome outcome, string status, int? errorCode, string? transactionId, int pinAttemptsUsed);
}
