using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Workflow.Api.Http;
using Workflow.Vehicles.Lockout;

namespace Workflow.Api.Commands;

/// <summary>
/// Refuses a PIN at the door when the command's vehicle may not have one sent now, so the caller gets a clear 429 at
/// once, with a true <c>Retry-After</c>, and nothing is raised or stored: locked out (too many wrong PINs across
/// commands, until the time stated) or busy (its PINs in flight fill the cap, until the oldest one settles).
/// </summary>
/// <remarks>
/// This is an early answer, not the enforcement: <c>RequestVehicleOtpActivity</c> reserves every attempt before the PIN
/// goes upstream, so a PIN that slips past this check still never takes the vehicle past the cap.
/// </remarks>
internal sealed class PinLockoutGuard(IPinAttemptLimiter limiter, TimeProvider time)
{
    /// <summary>
    /// A 429 <c>application/problem+json</c> with <c>Retry-After</c> when no PIN may be sent for <paramref name="vin"/> now;
    /// <c>null</c> when it may.
    /// </summary>
    /// <param name="vin">The command's vehicle.</param>
    /// <param name="commandId">The command, named in the message.</param>
    /// <param name="response">Receives the <c>Retry-After</c> header.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    public async Task<ProblemHttpResult?> RefuseIfBlockedAsync(string vin, string commandId, HttpResponse response, CancellationToken cancellationToken)
    {
        PinAttemptReservation check = await limiter.CheckAsync(vin, cancellationToken).ConfigureAwait(false);
        if (check.LockedOutUntil is { } lockedOutUntil)
        {
            string seconds = RetryAfter(response, lockedOutUntil);
            return Problems.TooManyRequests(
                "Too many failed PIN attempts",
                $"Vehicle {vin} has had too many wrong PINs across commands. To protect the owner's account, no PIN is accepted for it "
                + $"until {Format(lockedOutUntil)} (retry after {seconds} s). This PIN was not delivered; command '{commandId}' keeps waiting for one until its own deadline.");
        }

        if (check.BusyUntil is { } busyUntil)
        {
            string seconds = RetryAfter(response, busyUntil);
            return Problems.TooManyRequests(
                "Too many PINs in flight",
                $"Other PINs for vehicle {vin} are being checked right now. Send this one again after {Format(busyUntil)} (retry after {seconds} s); "
                + $"it was not delivered and used no attempt, and command '{commandId}' keeps waiting for it until its own deadline.");
        }

        return null;
    }

    private string RetryAfter(HttpResponse response, DateTimeOffset until)
    {
        string seconds = Math.Max(1, (long)Math.Ceiling((until - time.GetUtcNow()).TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        response.Headers.RetryAfter = seconds;
        return seconds;
    }

    private static string Format(DateTimeOffset moment) => moment.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
