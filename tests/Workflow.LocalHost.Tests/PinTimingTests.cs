using System.Net;
using System.Text.Json;
using Workflow.LocalHost.Tests.Support;
using Workflow.VehicleSimulator.State;

namespace Workflow.LocalHost.Tests;

/// <summary>An in-process local host whose commands wait only a few seconds for a PIN, with a simulator of its own to slow down.</summary>
public sealed class ShortPinTimeoutFixture : LocalHostFixture
{
    public const int PinTimeoutSeconds = 3;

    protected override IReadOnlyList<string> ExtraArguments => [$"--VehicleWorkflow:PinTimeout=00:00:0{PinTimeoutSeconds}"];
}

/// <summary>
/// When the PIN comes matters: too late ends the command with PinTimeout, too early (while the vehicle is still being
/// called) is a 409. Its own app and simulator: the simulator is made slow here, which must not slow other tests.
/// </summary>
public sealed class PinTimingTests(ShortPinTimeoutFixture fixture) : IClassFixture<ShortPinTimeoutFixture>
{
    private CommandsClient Api => fixture.Api;

    [Fact]
    public async Task A_command_whose_pin_does_not_come_before_the_deadline_ends_with_PinTimeout_and_refuses_a_late_pin()
    {
        string vin = TestVins.New();
        StartedCommand started = await Api.StartAsync(TestCommands.StrongAuth(vin));

        // (Whether a poll catches its few seconds at AwaitingPin depends on the machine's load: not waited for here.)
        CommandStatus finished = await Api.WaitForFinishedAsync(started.StatusQueryGetUri);

        Assert.Equal("Completed", finished.RuntimeStatus);
        Assert.Equal("PinTimeout", finished.Outcome);
        Assert.Equal(0, finished.Output.GetProperty("pinAttemptsUsed").GetInt32());
        Assert.Equal(2302, finished.Output.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(JsonValueKind.Null, finished.Body.GetProperty("customStatus").ValueKind);
        using (HttpResponseMessage late = await Api.PostPinAsync(started.PinPostUri, LocalHostFixture.DefaultPin))
        {
            await Problems.AssertAsync(late, HttpStatusCode.Conflict, "Command already finished");
        }

        RequestLogEntry call = Assert.Single(await fixture.Simulator.GetRequestsAsync(vin));
        Assert.Equal((int?)2302, call.ErrorCode);
    }

    [Fact]
    public async Task A_pin_sent_while_the_command_is_still_calling_the_vehicle_is_409_and_is_not_delivered()
    {
        // The simulator holds the command's first call for a while (well inside the client's attempt timeout).
        await fixture.Simulator.InjectFaultsAsync(status: 0, count: 1, delayMs: 8000);
        string vin = TestVins.New();
        StartedCommand started = await Api.StartAsync(TestCommands.StrongAuth(vin));
        await Api.WaitForStageAsync(started.StatusQueryGetUri, "CallingVehicle");
        await Workflow.Testing.Eventually.TrueAsync(async () => (await fixture.Simulator.GetFaultsAsync()).Count == 0, "the vehicle call to be held");

        using (HttpResponseMessage early = await Api.PostPinAsync(started.PinPostUri, LocalHostFixture.DefaultPin))
        {
            JsonElement problem = await Problems.AssertAsync(early, HttpStatusCode.Conflict, "Command not awaiting a PIN");
            Assert.Contains("CallingVehicle", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        // Not delivered: once the call answers 2302 the command waits for a PIN, gets none, and times out without
        // having asked for an OTP.
        CommandStatus finished = await Api.WaitForFinishedAsync(started.StatusQueryGetUri);
        Assert.Equal("PinTimeout", finished.Outcome);
        Assert.Equal(0, finished.Output.GetProperty("pinAttemptsUsed").GetInt32());
        Assert.DoesNotContain("EventRaised", await fixture.HistoryEventTypesAsync(started.Id));
        Assert.DoesNotContain(await fixture.Simulator.GetRequestsAsync(vin), e => e.Api == RequestLog.OtpApi);
    }
}
