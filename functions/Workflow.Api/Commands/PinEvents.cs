using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Microsoft.DurableTask.Client;
using Workflow.Vehicles;

namespace Workflow.Api.Commands;

/// <summary>
/// Validates a user's PIN and delivers it to a vehicle command as the <see cref="VehicleCommandNames.PinEvent"/>
/// event, sealed, so the clear PIN never reaches the engine (<c>POST /api/commands/{id}/pin</c>).
/// </summary>
public static class PinEvents
{
    /// <summary>The fewest digits a PIN may have.</summary>
    public const int MinLength = VehicleCommandValidation.MinPinLength;

    /// <summary>The most digits a PIN may have.</summary>
    public const int MaxLength = VehicleCommandValidation.MaxPinLength;

    /// <summary>The JSON property that carries the PIN in a request body: <c>{"pin": "1234"}</c>.</summary>
    public const string PropertyName = "pin";

    /// <summary>
    /// Reads the PIN from a request body of the form <c>{"pin": "&lt;4–8 digits&gt;"}</c>.
    /// The problem text never contains the submitted value, so it is safe to return to the caller and to log.
    /// </summary>
    /// <param name="body">The parsed request body.</param>
    /// <param name="pin">The PIN, when the body is valid.</param>
    /// <param name="problem">Why the body was refused, when it is not valid.</param>
    /// <returns><c>true</c> when the body carries a well-formed PIN.</returns>
    public static bool TryParse(JsonElement body, [NotNullWhen(true)] out string? pin, [NotNullWhen(false)] out string? problem)
    {
        pin = null;
        if (body.ValueKind != JsonValueKind.Object)
        {
            problem = $"The body must be a JSON object of the form {{\"{PropertyName}\": \"<{MinLength} to {MaxLength} digits>\"}}.";
            return false;
        }

        // Property names are matched case-insensitively like the rest of the API's JSON (web defaults).
        JsonElement? value = null;
        foreach (JsonProperty property in body.EnumerateObject())
        {
            if (string.Equals(property.Name, PropertyName, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
            }
        }

        if (value is not { ValueKind: JsonValueKind.String } pinElement)
        {
            // A number is refused on purpose: it would silently drop leading zeros ("0042" -> 42).
            problem = $"The body must have a \"{PropertyName}\" property whose value is a string of {MinLength} to {MaxLength} digits.";
            return false;
        }

        string candidate = pinElement.GetString()!;
        if (!IsWellFormed(candidate))
        {
            problem = $"\"{PropertyName}\" must be {MinLength} to {MaxLength} digits (0-9) with nothing else around them.";
            return false;
        }

        pin = candidate;
        problem = null;
        return true;
    }

    /// <summary>Whether <paramref name="pin"/> is 4 to 8 ASCII digits.</summary>
    public static bool IsWellFormed(string? pin) => VehicleCommandValidation.IsValidPin(pin);

    /// <summary>
    /// Seals <paramref name="pin"/>, bound to the command and its round (<see cref="PinSeal"/>), and raises it as a
    /// <see cref="PinSubmission"/>, so the clear PIN never reaches durable history, queues or blobs.
    /// </summary>
    /// <param name="client">The durable client.</param>
    /// <param name="protector">Seals the PIN with the app's data key.</param>
    /// <param name="instanceId">The vehicle command instance.</param>
    /// <param name="round">The PIN round the command awaits.</param>
    /// <param name="pin">A well-formed PIN (see <see cref="TryParse"/>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException"><paramref name="pin"/> is not 4 to 8 digits (from <see cref="PinSeal.Compose"/>).</exception>
    public static async Task RaiseAsync(
        DurableTaskClient client, ISensitiveDataProtector protector, string instanceId, int round, string pin, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(protector);
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);

        // PinSeal.Compose refuses a PIN that is not well formed (without quoting it): the last check before sealing.
        string sealedPin = await protector.SealAsync(PinSeal.Compose(instanceId, round, pin), cancellationToken).ConfigureAwait(false);
        await client.RaiseEventAsync(instanceId, VehicleCommandNames.PinEvent, new PinSubmission(sealedPin, round), cancellationToken).ConfigureAwait(false);
    }
}
