using System.ComponentModel.DataAnnotations;
using Workflow.Vehicles.Options;

namespace Workflow.Vehicles.Orchestration;

/// <summary>
/// The limits one command runs with, copied from <see cref="VehicleWorkflowOptions"/> into the orchestration's
/// input when the command starts. The orchestrator reads nothing else, so an instance replays identically after a
/// settings change or a redeploy, and a command keeps the rules it was started with until it ends.
/// </summary>
/// <param name="PinTimeout">How long each PIN wait lasts.</param>
/// <param name="MaxPinAttempts">PIN attempts allowed for the command.</param>
/// <param name="ResetStepRetries">Repeats with <c>resetStep: true</c> after 2317/2312.</param>
/// <param name="RetryMaxAttempts">Durable attempts of a transiently failing activity, the first included.</param>
/// <param name="RetryFirstInterval">Wait before the first durable retry.</param>
/// <param name="RetryBackoffCoefficient">Growth of the wait after each durable retry.</param>
/// <param name="RetryMaxInterval">Longest wait between durable retries.</param>
/// <param name="RetryTimeout">Budget of durable retries for one logical call.</param>
public sealed record VehicleCommandSettings(
    TimeSpan PinTimeout,
    int MaxPinAttempts,
    int ResetStepRetries,
    int RetryMaxAttempts,
    TimeSpan RetryFirstInterval,
    double RetryBackoffCoefficient,
    TimeSpan RetryMaxInterval,
    TimeSpan RetryTimeout)
{
    /// <summary>Repeats of a call answered busy (2353/2364) before <c>VehicleBusy</c>. An input from before this setting existed gets the default.</summary>
    public int BusyRetryAttempts { get; init; } = VehicleWorkflowOptions.DefaultBusyRetryAttempts;

    /// <summary>Wait before each of those repeats. An input from before this setting existed gets the default.</summary>
    public TimeSpan BusyRetryDelay { get; init; } = VehicleWorkflowOptions.DefaultBusyRetryDelay;

    /// <summary>Takes the snapshot of validated options.</summary>
    public static VehicleCommandSettings From(VehicleWorkflowOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new(
            options.PinTimeout,
            options.MaxPinAttempts,
            options.ResetStepRetries,
            options.RetryMaxAttempts,
            options.RetryFirstInterval,
            options.RetryBackoffCoefficient,
            options.RetryMaxInterval,
            options.RetryTimeout)
        {
            BusyRetryAttempts = options.BusyRetryAttempts,
            BusyRetryDelay = options.BusyRetryDelay,
        };
    }

    /// <summary>
    /// Why these settings cannot run a command, or <c>null</c> when they can: the very rules of <see cref="VehicleWorkflowOptions"/>,
    /// because an input may also come from outside the product's API.
    /// </summary>
    public string? Validate()
    {
        VehicleWorkflowOptions options = new()
        {
            PinTimeout = PinTimeout,
            MaxPinAttempts = MaxPinAttempts,
            ResetStepRetries = ResetStepRetries,
            RetryMaxAttempts = RetryMaxAttempts,
            RetryFirstInterval = RetryFirstInterval,
            RetryBackoffCoefficient = RetryBackoffCoefficient,
            RetryMaxInterval = RetryMaxInterval,
            RetryTimeout = RetryTimeout,
            BusyRetryAttempts = BusyRetryAttempts,
            BusyRetryDelay = BusyRetryDelay,
        };
        var results = new List<ValidationResult>();
        return Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true)
            ? options.CheckConsistency()
            : string.Join(" ", results.Select(r => r.ErrorMessage));
    }
}
