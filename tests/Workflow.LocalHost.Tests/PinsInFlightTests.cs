using System.Net;
using Workflow.LocalHost.Tests.Support;
using Workflow.Testing;

namespace Workflow.LocalHost.Tests;

/// <summary>A local host whose vehicles may have one PIN at a time, wrong or in flight; with a simulator of its own to slow down.</summary>
public sealed class OnePinPerVehicleFixture : LocalHostFixture
{
    protected override IReadOnlyList<string> ExtraArguments => ["--VehicleWorkflow:MaxFailedPinAttemptsPerVehicle=1"];
}

/// <summary>PINs still in flight are bounded apart from wrong ones: a clear 429 with a true Retry-After, and no lockout.</summary>
public sealed class PinsInFlightTests(OnePinPerVehicleFixture fixture) : IClassFixture<OnePinPerVehicleFixture>
{
    private CommandsClient Api => fixture.Api;

    [Fact]
    public async Task A_pin_while_another_for_the_same_vehicle_is_in_flight_gets_429_with_retry_after_and_goes_through_afterwards()
    {
        string vin = TestVins.New();
        StartedCommand first = await Api.StartAsync(TestCommands.StrongAuth(vin));
        // The second unlocks what the first locks: a second lock would be refused by the car (2361), not by the PIN rules.
        StartedCommand second = await Api.StartAsync(CommandsClient.Body(vin, TestCommands.StrongAuthApi, null, TestCommands.OtherStrongAuthParameters));
        await Api.WaitForStageAsync(first.StatusQueryGetUri, "AwaitingPin");
        await Api.WaitForStageAsync(second.StatusQueryGetUri, "AwaitingPin");

        // The first command's OTP request (pims.get) is held by the simulator: its PIN is in flight.
        await fixture.Simulator.InjectFaultsAsync(status: 0, count: 1, path: "/v1/pims/get", delayMs: 6000);
        await Api.DeliverPinAsync(first.PinPostUri, LocalHostFixture.DefaultPin);
        await Eventually.TrueAsync(async () => (await fixture.Simulator.GetFaultsAsync()).Count == 0, "the first PIN to be in flight");

        using (HttpResponseMessage busy = await Api.PostPinAsync(second.PinPostUri, LocalHostFixture.DefaultPin))
        {
            await Problems.AssertAsync(busy, HttpStatusCode.TooManyRequests, "Too many PINs in flight");
            Assert.True(busy.Headers.RetryAfter?.Delta is { TotalSeconds: > 0 }, $"Retry-After: {busy.Headers.RetryAfter}");
        }

        // Nothing was delivered: the second command still waits in its first round, and takes its PIN once the first settled.
        Assert.Equal("Succeeded", (await Api.WaitForFinishedAsync(first.StatusQueryGetUri)).Outcome);
        CommandStatus waiting = await Api.GetStatusAsync(second.StatusQueryGetUri);
        Assert.Equal(1, waiting.CustomStatus.GetProperty("pinRound").GetInt32());
        await Api.DeliverPinAsync(second.PinPostUri, LocalHostFixture.DefaultPin);
        CommandStatus finished = await Api.WaitForFinishedAsync(second.StatusQueryGetUri);
        Assert.Equal("Succeeded", finished.Outcome);
        Assert.Equal(1, finished.Output.GetProperty("pinAttemptsUsed").GetInt32());
    }
}
