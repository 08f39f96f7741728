using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Workflow.Vehicles.Activities;
using Workflow.Vehicles.Lockout;
using Workflow.Vehicles.Tests.Infrastructure;

namespace Workflow.Vehicles.Tests;

/// <summary>
/// The per-vehicle lockout as the orchestration lives it, with a cap of two PIN attempts per vehicle and hour:
/// on the in-memory Durable Task engine and the simulator over HTTP, with the rules over an in-memory record (the app shares a table).
/// </summary>
public sealed class PinLockoutTests(PinLockoutFixture fixture) : IClassFixture<PinLockoutFixture>
{
    private const string RemoteApi = VehicleWorkflowHost.CommandApi;
    private const string OtpApi = VehicleWorkflowHost.OtpApi;
    private const string WrongPin = "0000";
    private readonly VehicleWorkflowHost _host = fixture.Host;

    [Fact]
    public async Task A_wrong_pin_counts_as_a_failed_attempt_of_the_vehicle()
    {
        string vin = TestVins.New();
        string id = await _host.StartCommandAsync(vin, RemoteApi, VehicleWorkflowHost.Lock);
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);

        await _host.SubmitPinAsync(id, WrongPin);
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 2);

        // The attempt id is the OTP request's idempotency key, execution part included.
        PinAttempt attempt = Assert.Single(_host.PinAttempts.AttemptsOf(vin));
        Assert.Equal("otp-1", IdempotencyKeyShape.Parse(id, attempt.Id).Step);
        Assert.Equal(attempt.Id, (await _host.Simulator.GetRequestsAsync(vin)).Single(r => r.Api == OtpApi).IdempotencyKey);
        Assert.True(attempt.Rejected);
    }

    [Fact]
    public async Task A_redelivered_otp_request_is_one_attempt()
    {
        string vin = TestVins.New();
        string sealedPin = await _host.SealPinAsync("redelivered", 1, WrongPin);
        string key = $"redelivered:{Guid.NewGuid():N}:otp-1";
        var input = new RequestVehicleOtpInput(vin, sealedPin, PinRound: 1, ResetStep: false, key);

        OtpRequestOutcome first = await RunOtpActivityAsync(input);
        OtpRequestOutcome second = await RunOtpActivityAsync(input);

        Assert.Equal(first, second);
        Assert.Equal(key, Assert.Single(_host.PinAttempts.AttemptsOf(vin)).Id);
        Assert.Equal([false, true], (await _host.Simulator.GetRequestsAsync(vin)).Select(r => r.Replayed));
    }

    [Fact]
    public async Task A_right_pin_clears_the_vehicles_failed_attempts()
    {
        string vin = TestVins.New();
        string id = await _host.StartCommandAsync(vin, RemoteApi, VehicleWorkflowHost.Lock);
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);
        await _host.SubmitPinAsync(id, WrongPin);
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 2);

        await _host.SubmitPinAsync(id, VehicleWorkflowHost.DefaultPin);
        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.Succeeded, result.Outcome);
        Assert.Empty(_host.PinAttempts.AttemptsOf(vin));
    }

    [Fact]
    public async Task Otp_requests_that_say_nothing_about_the_pin_do_not_count()
    {
        string vin = TestVins.New();
        await _host.Simulator.QueueErrorsAsync(vin, OtpApi, [2317, 2312]);
        string id = await _host.StartCommandAsync(vin, RemoteApi, VehicleWorkflowHost.Lock);
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);

        await _host.SubmitPinAsync(id, VehicleWorkflowHost.DefaultPin);
        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.OtpFailed, result.Outcome);
        Assert.Empty(_host.PinAttempts.AttemptsOf(vin));
    }

    [Fact]
    public async Task Past_the_cap_no_pin_is_sent_and_the_command_ends_PinLockedOut_saying_until_when()
    {
        string vin = TestVins.New();
        string first = await _host.StartCommandAsync(vin, RemoteApi, VehicleWorkflowHost.Lock);
        for (int attemptsLeft = 3; attemptsLeft > 1; attemptsLeft--)
        {
            await _host.WaitForPinRequestAsync(first, attemptsLeft);
            await _host.SubmitPinAsync(first, WrongPin);
        }

        await _host.WaitForPinRequestAsync(first, attemptsLeft: 1);
        DateTimeOffset lockedOutUntil = _host.PinAttempts.AttemptsOf(vin).Min(a => a.At) + PinLockoutFixture.Window;

        // The right PIN now: the vehicle is locked out, so it is not even sent.
        await _host.SubmitPinAsync(first, VehicleWorkflowHost.DefaultPin);
        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(first);

        Assert.Equal(VehicleCommandOutcome.PinLockedOut, result.Outcome);
        Assert.Equal("FAILED", result.Status);
        Assert.Equal(OtpRequestOutcome.PinLockedOutCode, result.Error!.Code);
        Assert.Contains("Too many failed PIN attempts for this vehicle", result.Error.Label, StringComparison.Ordinal);
        Assert.Contains(RoundedUpToTheSecond(lockedOutUntil), result.Error.Label, StringComparison.Ordinal);
        Assert.Null(result.TransactionId);
        Assert.Equal(PinLockoutFixture.Cap, (await _host.Simulator.GetRequestsAsync(vin)).Count(r => r.Api == OtpApi));

        // Another command for the same vehicle is refused the same way; another vehicle is not affected.
        string second = await _host.StartCommandAsync(vin, RemoteApi, VehicleWorkflowHost.Lock);
        await _host.WaitForPinRequestAsync(second, attemptsLeft: 3);
        await _host.SubmitPinAsync(second, VehicleWorkflowHost.DefaultPin);
        Assert.Equal(VehicleCommandOutcome.PinLockedOut, (await _host.WaitForResultAsync(second)).Result.Outcome);

        string otherVin = TestVins.New();
        string other = await _host.StartCommandAsync(otherVin, RemoteApi, VehicleWorkflowHost.Lock);
        await _host.WaitForPinRequestAsync(other, attemptsLeft: 3);
        await _host.SubmitPinAsync(other, VehicleWorkflowHost.DefaultPin);
        Assert.Equal(VehicleCommandOutcome.Succeeded, (await _host.WaitForResultAsync(other)).Result.Outcome);
        Assert.Equal(PinLockoutFixture.Cap, (await _host.Simulator.GetRequestsAsync(vin)).Count(r => r.Api == OtpApi));
    }

    private async Task<OtpRequestOutcome> RunOtpActivityAsync(RequestVehicleOtpInput input)
    {
        using IServiceScope scope = _host.Services.CreateScope();
        var activity = scope.ServiceProvider.GetRequiredService<RequestVehicleOtpActivity>();
        return await activity.RunAsync(new TestActivityContext(VehicleActivityNames.RequestOtp, "redelivered"), input);
    }

    private static string RoundedUpToTheSecond(DateTimeOffset time)
    {
        DateTimeOffset whole = new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        return (whole < time ? whole.AddSeconds(1) : whole).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
    }
}
