using Workflow.VehicleSimulator.Tests.Support;
using Xunit;

namespace Workflow.VehicleSimulator.Tests;

/// <summary>
/// The horn's and the lights' cooldowns that the simulator starts itself: after a horn (warning) command succeeds, a
/// repeat within the vehicle's cooldown answers 2358 (2359), "… have been execute with succes earlier wait to send new
/// one". Own class (and server): it moves the fake clock. Strong authentication is off for these vehicles, so each
/// command is answered by the car at once.
/// </summary>
public sealed class CooldownTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    private const string HornWait = "Horn request have been execute with succes earlier wait to send new one";
    private const string LightsWait = "Light request have been execute with succes earlier wait to send new one";
    private static readonly object Warning = new { action = "warning" };

    private readonly SimulatorClient _sim = fixture.Client;

    [Fact]
    public async Task A_horn_that_succeeded_makes_a_repeat_within_the_default_cooldown_answer_2358_and_the_horn_works_again_after_it()
    {
        var vin = await VehicleWithoutStrongAuthAsync();
        var cooldown = fixture.Server.Options.HornCooldown;
        Assert.Equal(TimeSpan.FromSeconds(30), cooldown);

        var first = await HornAsync(vin);
        var soundedAt = fixture.Time.GetUtcNow();
        var state = await _sim.GetStateAsync(vin);
        fixture.Time.Advance(cooldown - TimeSpan.FromSeconds(1));
        var repeated = await HornAsync(vin);
        fixture.Time.Advance(TimeSpan.FromSeconds(1));
        var after = await HornAsync(vin);

        Assert.Equal("SUCCEEDED", first.Status);
        Assert.True(state.GetProperty("hornRecentlyUsed").GetBoolean());
        Assert.Equal(soundedAt + cooldown, state.GetProperty("hornRecentlyUsedUntil").GetDateTimeOffset());
        Assert.Equal("00:00:30", state.GetProperty("hornCooldown").GetString());
        Assert.Equal(("FAILED", 2358, HornWait), (repeated.Status, repeated.ErrorCode, repeated.ErrorLabel));

        // The refused repeat did not restart the cooldown: it ended where the first horn put it.
        Assert.Equal("SUCCEEDED", after.Status);
    }

    [Fact]
    public async Task A_warning_that_succeeded_makes_a_repeat_within_the_cooldown_answer_2359_and_leaves_the_horn_alone()
    {
        var vin = await VehicleWithoutStrongAuthAsync();

        var first = await _sim.CallAsync(vin, SimulatorClient.CommandApi, Warning);
        var repeated = await _sim.CallAsync(vin, SimulatorClient.CommandApi, Warning);
        var horn = await HornAsync(vin);
        fixture.Time.Advance(fixture.Server.Options.LightsCooldown);
        var after = await _sim.CallAsync(vin, SimulatorClient.CommandApi, Warning);

        Assert.Equal("SUCCEEDED", first.Status);
        Assert.Equal(("FAILED", 2359, LightsWait), (repeated.Status, repeated.ErrorCode, repeated.ErrorLabel));
        Assert.Equal("SUCCEEDED", horn.Status);
        Assert.Equal("SUCCEEDED", after.Status);
    }

    [Fact]
    public async Task A_vehicle_cooldown_of_its_own_applies_and_zero_turns_it_off()
    {
        var shortVin = await VehicleWithoutStrongAuthAsync();
        var state = await _sim.SetStateAsync(shortVin, new { hornCooldown = "00:00:05", lightsCooldown = "00:00:00" });
        var offVin = await VehicleWithoutStrongAuthAsync();
        await _sim.SetStateAsync(offVin, new { hornCooldown = "00:00:00" });

        await HornAsync(shortVin);
        var within = await HornAsync(shortVin);
        fixture.Time.Advance(TimeSpan.FromSeconds(5));
        var after = await HornAsync(shortVin);
        var lights = new[]
        {
            await _sim.CallAsync(shortVin, SimulatorClient.CommandApi, Warning),
            await _sim.CallAsync(shortVin, SimulatorClient.CommandApi, Warning),
        };
        var off = new[] { await HornAsync(offVin), await HornAsync(offVin) };

        Assert.Equal(("00:00:05", "00:00:00"), (state.GetProperty("hornCooldown").GetString(), state.GetProperty("lightsCooldown").GetString()));
        Assert.Equal(2358, within.ErrorCode);
        Assert.Equal("SUCCEEDED", after.Status);
        Assert.All(lights, a => Assert.Equal("SUCCEEDED", a.Status));
        Assert.All(off, a => Assert.Equal("SUCCEEDED", a.Status));
        Assert.False((await _sim.GetStateAsync(offVin)).GetProperty("hornRecentlyUsed").GetBoolean());
    }

    [Fact]
    public async Task The_state_control_ends_a_cooldown_and_a_reset_forgets_it()
    {
        var vin = await VehicleWithoutStrongAuthAsync();
        await HornAsync(vin);
        await _sim.CallAsync(vin, SimulatorClient.CommandApi, Warning);

        var cleared = await _sim.SetStateAsync(vin, new { hornRecentlyUsed = false, lightsRecentlyUsed = false });
        var horn = await HornAsync(vin);
        var warning = await _sim.CallAsync(vin, SimulatorClient.CommandApi, Warning);

        Assert.False(cleared.GetProperty("hornRecentlyUsed").GetBoolean());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, cleared.GetProperty("hornRecentlyUsedUntil").ValueKind);
        Assert.False(cleared.GetProperty("lightsRecentlyUsed").GetBoolean());
        Assert.Equal(("SUCCEEDED", "SUCCEEDED"), (horn.Status, warning.Status));
    }

    [Fact]
    public async Task A_replayed_horn_answers_its_first_success_and_does_not_restart_the_cooldown()
    {
        var vin = await VehicleWithoutStrongAuthAsync();
        var key = Guid.NewGuid().ToString();

        var first = await _sim.CallAsync(vin, SimulatorClient.CommandApi, SimulatorClient.Horn, idempotencyKey: key);
        fixture.Time.Advance(TimeSpan.FromSeconds(20));
        var replay = await _sim.CallAsync(vin, SimulatorClient.CommandApi, SimulatorClient.Horn, idempotencyKey: key);
        fixture.Time.Advance(TimeSpan.FromSeconds(10));
        var next = await HornAsync(vin);

        Assert.Equal(first.Text, replay.Text);
        Assert.Equal("SUCCEEDED", next.Status);
    }

    [Fact]
    public async Task A_horn_refused_by_the_car_starts_no_cooldown()
    {
        var vin = await VehicleWithoutStrongAuthAsync();
        await _sim.SetStateAsync(vin, new { engineRunning = true });

        var refused = await HornAsync(vin);
        await _sim.SetStateAsync(vin, new { engineRunning = false });
        var sounded = await HornAsync(vin);

        Assert.Equal(2329, refused.ErrorCode);
        Assert.Equal("SUCCEEDED", sounded.Status);
    }

    [Fact]
    public async Task A_cooldown_outside_zero_to_one_day_is_rejected_with_400()
    {
        foreach (var body in new[] { """{"hornCooldown":"-00:00:01"}""", """{"lightsCooldown":"1.00:00:01"}""", """{"hornCooldown":"soon"}""" })
        {
            using var response = await _sim.Http.PutAsync(
                new Uri($"/_sim/vehicles/{TestVins.Next()}/state", UriKind.Relative),
                new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

            Assert.True(response.StatusCode == System.Net.HttpStatusCode.BadRequest, $"{body}: HTTP {(int)response.StatusCode}");
        }
    }

    private Task<PimsAnswer> HornAsync(string vin) => _sim.CallAsync(vin, SimulatorClient.CommandApi, SimulatorClient.Horn);

    private async Task<string> VehicleWithoutStrongAuthAsync()
    {
        var vin = TestVins.Next();
        await _sim.SetStateAsync(vin, new { strongAuth = new Dictionary<string, bool> { [SimulatorClient.CommandApi] = false } });
        return vin;
    }
}
