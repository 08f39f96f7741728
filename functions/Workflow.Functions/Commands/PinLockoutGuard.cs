using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Workflow.Durable;
using Workflow.Functions.Http;
using Workflow.Vehicles;
using Workflow.Vehicles.Lockout;

namespace Workflow.Functions.Commands;

/// <summary>
/// Refuses a PIN at the door when the command's vehicle has had too many failed PIN attempts across commands,
/// so the caller gets a clear 429 at once and nothing is raised or stored. Shared by the product API
/// (<c>POST /api/commands/{id}/pin</c>) and the management API (<c>raiseEvent/Pin</c>).
/// </summary>
/// <remarks>
/// This is an early answer, not the enforcement: <c>RequestVehicleOtpActivity</c> reserves every attempt before
/// the PIN goes upstream, so a PIN that slips past this check while another command fills the cap still ends its
/// command with <c>PinLockedOut</c> without reaching the gateway. A refused command keeps waiting for its PIN until
/// its own deadline: a PIN sent after the lockout has lapsed is delivered as usual.
/// </remarks>
internal sealed class PinLockoutGuard(IPinAttemptLimiter limiter, IOptions<DurableTaskOptions> durable, TimeProvider time)
{
    /// <summary>
    /// A 429 <c>application/problem+json</c> with <c>Retry-After</c> when <paramref name="command"/> is a vehicle
    /// command whose vehicle is locked out; <c>null</c> when its PIN may be delivered.
    /// </summary>
    /// <param name="command">The instance, read with its input (the VIN is there).</param>
    /// <param name="response">Receives the <c>Retry-After</c> header.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    public async Task<ProblemHttpResult?> RefuseIfLockedOutAsync(OrchestrationMetadata command, HttpResponse response, CancellationToken cancellationToken)
    {
        // Anything else has no vehicle to protect; a vehicle command without a valid VIN fails on its own.
        if (!string.Equals(command.Name, VehicleCommandNames.Orchestrator, StringComparison.OrdinalIgnoreCase)
            || command.ReadInputAs<VehicleCommandRequest>(durable.Value.SerializerOptions) is not { } request
            || !VehicleCommandValidation.IsValidVin(request.Vin))
        {
            return null;
        }

        if (await limiter.GetLockedOutUntilAsync(request.Vin, cancellationToken).ConfigureAwait(false) is not { } lockedOutUntil)
        {
            return null;
        }

        string seconds = Math.Max(1, (long)Math.Ceiling((lockedOutUntil - time.GetUtcNow()).TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        string until = lockedOutUntil.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        response.Headers.RetryAfter = seconds;
        return Problems.TooManyRequests(
            "Too many failed PIN attempts",
            $"Vehicle {request.Vin} has had too many failed PIN attempts across commands. To protect the owner's account, no PIN is accepted for it "
            + $"until {until} (retry after {seconds} s). This PIN was not delivered; command '{command.InstanceId}' keeps waiting for one until its own deadline.");
    }
}
