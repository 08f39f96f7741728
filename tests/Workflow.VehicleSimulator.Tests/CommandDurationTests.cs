using System.Text.Json;
using Workflow.VehicleSimulator.Tests.Support;
using Xunit;

namespace Workflow.VehicleSimulator.Tests;

/// <summary>
/// "A command running" on the car: with a command duration above zero, a remote command that succeeded keeps running
/// for that long, and meanwhile the same action answers 2364 and another one 2353. Off by default. Own class (and
/// server): it moves the fake clock. Strong authentication is off for these vehicles.
/// </summary>
public sealed class CommandDurationTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    private const string SameOngoing = "Command can't be execute because same command are ongoing";
    private const string AnotherOngoing = "Command can't be execute another command are ongoing";
    private static readonly TimeSpan Duration = TimeSpan.FromMinutes(1);

    private readonly SimulatorClient _sim = fixture.Client;

    [Fact]
    public async Task By_default_a_command_is_over_once_answered()
    {
        var vin = await VehicleAsync(duration: null);

        var locked = await _sim.LockAsync(vin);
        var state = await _sim.GetStateAsync(vin);
        var unlocked = await _sim.CallAsync(vin, SimulatorClient.CommandApi, SimulatorClient.Unlock);

        Assert.Equal(TimeSpan.Zero, fixture.Server.Options.CommandDuration);
        Assert.Equal(("SUCCEEDED", "SUCCEEDED"), (locked.Status, unlocked.Status));
        Assert.Equal("00:00:00", state.GetProperty("commandDuration").GetString());
        Assert.Equal(JsonValueKind.Null, state.GetProperty("runningAction").ValueKind);
    }

    [Fact]
    public async Task While_a_command_runs_the_same_action_answers_2364_another_2353_and_reading_the_vehicle_works()
    {
        var vin = await VehicleAsync(Duration);

        var locked = await _sim.LockAsync(vin);
        var lockedAt = fixture.Time.GetUtcNow();
        var state = await _sim.GetStateAsync(vin);
        var same = await _sim.CallAsync(vin, SimulatorClient.CommandApi, SimulatorClient.Unlock);
        var another = await _sim.CallAsync(vin, SimulatorClient.CommandApi, SimulatorClient.Horn);
        var read = await _sim.ReadAsync(vin);

        Assert.Equal("SUCCEEDED", locked.Status);
        Assert.Equal("doors", state.GetProperty("runningAction").GetString());
        Assert.Equal(lockedAt + Duration, state.GetProperty("runningUntil").GetDateTimeOffset());
        Assert.Equal("00:01:00", state.GetProperty("commandDuration").GetString());
        Assert.Equal(("FAILED", 2364, SameOngoing), (same.Status, same.ErrorCode, same.ErrorLabel));
        Assert.Equal(("FAILED", 2353, AnotherOngoing), (another.Status, another.ErrorCode, another.ErrorLabel));
        Assert.Equal("SUCCEEDED", read.Status);
    }

    [Fact]
    public async Task Once_the_duration_is_over_the_car_takes_commands_again_and_a_busy_answer_was_not_remembered_under_its_key()
    {
        var vin = await VehicleAsync(Duration);
        var key = Guid.NewGuid().ToString();

        await _sim.LockAsync(vin);
        var busy = await _sim.CallAsync(vin, SimulatorClient.CommandApi, SimulatorClient.Unlock, idempotencyKey: key);
        fixture.Time.Advance(Duration - TimeSpan.FromSeconds(1));
        var stillBusy = await _sim.CallAsync(vin, SimulatorClient.CommandApi, SimulatorClient.Unlock, idempotencyKey: key);
        fixture.Time.Advance(TimeSpan.FromSeconds(1));
        var state = await _sim.GetStateAsync(vin);
        var unlocked = await _sim.CallAsync(vin, SimulatorClient.CommandApi, SimulatorClient.Unlock, idempotencyKey: key);

        Assert.Equal((2364, 2364), (busy.ErrorCode, stillBusy.ErrorCode));
        Assert.Equal(JsonValueKind.Null, state.GetProperty("runningAction").ValueKind);
        Assert.Equal(JsonValueKind.Null, state.GetProperty("runningUntil").ValueKind);
        Assert.Equal("SUCCEEDED", unlocked.Status);

        // The unlock now runs in turn, for the vehicle's duration from when it was carried out.
        Assert.Equal("doors", (await _sim.GetStateAsync(vin)).GetProperty("runningAction").GetString());
    }

    [Fact]
    public async Task A_busy_answer_comes_before_strong_authentication_and_leaves_the_otp_unused()
    {
        var vin = TestVins.Next();
        await _sim.SetStateAsync(vin, new { commandDuration = "00:01:00" });
        await _sim.LockAsync(vin, await _sim.GetOtpAsync(vin));
        var otp = await _sim.GetOtpAsync(vin);

        var busy = await _sim.CallAsync(vin, SimulatorClient.CommandApi, SimulatorClient.Unlock, otp);
        fixture.Time.Advance(Duration);
        var unlocked = await _sim.CallAsync(vin, SimulatorClient.CommandApi, SimulatorClient.Unlock, otp);

        Assert.Equal(2364, busy.ErrorCode);
        Assert.Equal("SUCCEEDED", unlocked.Status);
    }

    [Fact]
    public async Task A_command_refused_by_the_car_does_not_run_and_the_state_control_ends_a_running_one()
    {
        var vin = await VehicleAsync(Duration);
        await _sim.SetStateAsync(vin, new { doors = "locked" });

        var refused = await _sim.LockAsync(vin);
        var afterRefusal = await _sim.GetStateAsync(vin);
        var unlocked = await _sim.CallAsync(vin, SimulatorClient.CommandApi, SimulatorClient.Unlock);
        var cleared = await _sim.SetStateAsync(vin, new { runningAction = "" });
        var locked = await _sim.LockAsync(vin);

        Assert.Equal(2361, refused.ErrorCode);
        Assert.Equal(JsonValueKind.Null, afterRefusal.GetProperty("runningAction").ValueKind);
        Assert.Equal("SUCCEEDED", unlocked.Status);
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("runningAction").ValueKind);
        Assert.Equal("SUCCEEDED", locked.Status);
    }

    [Fact]
    public async Task A_running_action_set_through_the_control_stays_until_cleared()
    {
        var vin = await VehicleAsync(duration: null);

        var state = await _sim.SetStateAsync(vin, new { runningAction = "charge" });
        fixture.Time.Advance(TimeSpan.FromMinutes(10));
        var busy = await _sim.LockAsync(vin);

        Assert.Equal(JsonValueKind.Null, state.GetProperty("runningUntil").ValueKind);
        Assert.Equal(2353, busy.ErrorCode);
    }

    [Theory]
    [InlineData("""{"commandDuration":"-00:00:01"}""")]
    [InlineData("""{"commandDuration":"2.00:00:00"}""")]
    [InlineData("""{"commandDuration":60}""")]
    public async Task A_command_duration_outside_zero_to_one_day_is_rejected_with_400(string body)
    {
        using var response = await _sim.Http.PutAsync(
            new Uri($"/_sim/vehicles/{TestVins.Next()}/state", UriKind.Relative),
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
    }

    /// <summary>A new vehicle without strong authentication; with a command duration of its own when given.</summary>
    private async Task<string> VehicleAsync(TimeSpan? duration)
    {
        var vin = TestVins.Next();
        await _sim.SetStateAsync(vin, duration is { } d
            ? new { strongAuth = new Dictionary<string, bool> { [SimulatorClient.CommandApi] = false }, commandDuration = d.ToString("c") }
            : (object)new { strongAuth = new Dictionary<string, bool> { [SimulatorClient.CommandApi] = false } });
        return vin;
    }
}
