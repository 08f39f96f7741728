using Workflow.VehicleSimulator.Tests.Support;
using Xunit;

namespace Workflow.VehicleSimulator.Tests;

/// <summary>The strong-authentication account behind withPIN: wrong PINs block it (2310), enrolment (2313).</summary>
public sealed class AccountTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    private readonly SimulatorClient _sim = fixture.Client;

    [Fact]
    public async Task The_wrong_pin_that_reaches_the_threshold_blocks_the_account_and_then_even_the_right_pin_gets_2310()
    {
        var vin = TestVins.Next();
        int threshold = fixture.Server.Options.WrongPinsBeforeBlock;

        var wrong = new List<int?>();
        for (var i = 0; i < threshold; i++)
        {
            wrong.Add((await _sim.RequestOtpAsync(vin, "000000")).ErrorCode);
        }

        var right = await _sim.RequestOtpAsync(vin, SimulatorClient.DefaultPin);

        Assert.All(wrong, code => Assert.Equal(2308, code));
        Assert.Equal((2310, "inwebo: account is blocked"), (right.ErrorCode, right.ErrorLabel));
        var state = await _sim.GetStateAsync(vin);
        Assert.True(state.GetProperty("accountBlocked").GetBoolean());
        Assert.Equal(threshold, state.GetProperty("wrongPins").GetInt32());
        Assert.Empty((await _sim.GetOtpsAsync(vin)).EnumerateArray());
    }

    [Fact]
    public async Task The_unblock_control_endpoint_resets_a_blocked_account()
    {
        var vin = TestVins.Next();
        await _sim.SetStateAsync(vin, new { wrongPinsBeforeBlock = 1 });
        await _sim.RequestOtpAsync(vin, "000000");
        var blocked = await _sim.RequestOtpAsync(vin, SimulatorClient.DefaultPin);

        await _sim.UnblockAsync(vin);
        var afterUnblock = await _sim.RequestOtpAsync(vin, SimulatorClient.DefaultPin);

        Assert.Equal(2310, blocked.ErrorCode);
        Assert.Equal("SUCCEEDED", afterUnblock.Status);
        Assert.Equal(0, (await _sim.GetStateAsync(vin)).GetProperty("wrongPins").GetInt32());
    }

    [Fact]
    public async Task A_right_pin_resets_the_count_of_wrong_ones()
    {
        var vin = TestVins.Next();
        await _sim.SetStateAsync(vin, new { wrongPinsBeforeBlock = 2 });

        var first = await _sim.RequestOtpAsync(vin, "000000");
        var right = await _sim.RequestOtpAsync(vin, SimulatorClient.DefaultPin);
        var second = await _sim.RequestOtpAsync(vin, "000000");
        var stillOpen = await _sim.RequestOtpAsync(vin, SimulatorClient.DefaultPin);

        Assert.Equal([2308, null, 2308, null], new[] { first.ErrorCode, right.ErrorCode, second.ErrorCode, stillOpen.ErrorCode });
        Assert.False((await _sim.GetStateAsync(vin)).GetProperty("accountBlocked").GetBoolean());
    }

    [Fact]
    public async Task A_vehicle_not_enrolled_answers_2313_to_withPin()
    {
        var vin = TestVins.Next();
        await _sim.SetStateAsync(vin, new { enrolled = false });

        var answer = await _sim.RequestOtpAsync(vin, SimulatorClient.DefaultPin);

        Assert.Equal(2313, answer.ErrorCode);
        Assert.StartsWith("inwebo: User must activate inWebo", answer.ErrorLabel, StringComparison.Ordinal);
    }
}
