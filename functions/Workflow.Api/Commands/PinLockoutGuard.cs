using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Workflow.Api.Http;
using Workflow.Vehicles.Lockout;

namespace Workflow.Api.Commands;

/// <summary>
/// Refuses a PIN at the door when the command's vehicle has had too many failed PIN attempts across commands,
/// so the caller gets a clear 429 at once and nothing is raised or stored (<c>POST /api/commands/{id}/pin</c>).
/// </summary>
/// <remarks>
/// This is an early answer, not the enforcement: <c>RequestVehicleOtpActivity</c> reserves every attempt before
/// the PIN goes upstream, so a PIN that slips past this check while another command fills the cap still ends its
/// command with <c>PinLockedOut</c> without reaching the gateway. A refused command keeps waiting for its PIN until
/// its own deadline: a PIN sent after the lockout has lapsed is delivered as usual.
/// </remarks>
internal sealed class PinLockoutGuard(IPinAttemptLimiter limiter, TimeProvider time)
{
    /// <summary>
    /// A 429 <c>application/problem+json</c> with <c>Retry-After</c> when <paramref name="vin"/> is locked out;
    /// <c>null</c> when a PIN for it may be delivered.
    /// </summary>
    /// <param name="vin">The command's vehicle.</param>
    /// <param name="commandId">The command, named in the message.</param>
    /// <param name="response">Receives the <c>Retry-After</c> header.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    public async Task<ProblemHttpResult?> RefuseIfLockedOutAsync(string vin, string commandId, HttpResponse response, CancellationToken cancellationToken)
    {
        if (await limiter.GetLockedOutUntilAsync(vin, cancellationToken).ConfigureAwait(false) is not { } lockedOutUntil)
        {
            return null;
        }

        string seconds = Math.Max(1, (long)Math.Ceiling((lockedOutUntil - time.GetUtcNow()).TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        string until = lockedOutUntil.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        response.Headers.RetryAfter = seconds;
        return Problems.TooManyRequests(
            "Too many failed PIN attempts",
            $"Vehicle {vin} has had too many failed PIN attempts across commands. To protect the owner's account, no PIN is accepted for it "
            + $"until {until} (retry after {seconds} s). This PIN was not delivered; command '{commandId}' keeps waiting for one until its own deadline.");
    }
}
