using System.Net;
using System.Text.Json;
using Workflow.LocalHost.Tests.Support;
using Workflow.VehicleSimulator.State;

namespace Workflow.LocalHost.Tests;

/// <summary>
/// Commands end to end over HTTP on the in-process local host: the Durable engine on Azurite behind the gRPC sidecar, the
/// simulator over HTTP. The simulator answers a remote command (<see cref="TestCommands.StrongAuthApi"/>) with 2302 until it carries an OTP, which
/// <c>pims.authentication.otp</c> issues for the vehicle's PIN.
/// </summary>
[Collection(LocalHostApiTests.Name)]
public sealed class CommandFlowTests(LocalHostFixture fixture)
{
    private CommandsClient Api => fixture.Api;

    [Fact]
    public async Task A_command_without_strong_authentication_succeeds_without_a_pin()
    {
        string vin = TestVins.New();

        StartedCommand started = await Api.StartAsync(TestCommands.Plain(vin));
        CommandStatus finished = await Api.WaitForFinishedAsync(started.StatusQueryGetUri);

        Assert.Equal(HttpStatusCode.OK, finished.StatusCode);
        Assert.Equal("Completed", finished.RuntimeStatus);
        Assert.Equal("Succeeded", finished.Outcome);
        Assert.Equal("SUCCEEDED", finished.Output.GetProperty("status").GetString());
        Assert.Equal(0, finished.Output.GetProperty("pinAttemptsUsed").GetInt32());
        RequestLogEntry call = Assert.Single(await fixture.Simulator.GetRequestsAsync(vin));
        Assert.Equal((TestCommands.PlainApi, false, false, "SUCCEEDED"), (call.Api, call.HasOtp, call.Replayed, call.Status));
    }

    [Fact]
    public async Task A_command_refused_with_2302_waits_for_the_pin_gets_an_otp_and_succeeds_with_the_repeated_call()
    {
        string vin = TestVins.New();

        StartedCommand started = await Api.StartAsync(TestCommands.StrongAuth(vin));

        // Links are relative (no public base URL is configured) and the Location is the status link.
        Assert.Equal($"/api/commands/{started.Id}", started.StatusQueryGetUri.OriginalString);
        Assert.False(started.PinPostUri.IsAbsoluteUri);
        Assert.StartsWith($"/api/commands/{started.Id}/pin?token=", started.PinPostUri.OriginalString, StringComparison.Ordinal);
        Assert.Equal(started.StatusQueryGetUri, started.Location);

        CommandStatus waiting = await Api.WaitForStageAsync(started.StatusQueryGetUri, "AwaitingPin");
        Assert.Equal(HttpStatusCode.Accepted, waiting.StatusCode);
        Assert.Equal(started.StatusQueryGetUri, waiting.Location);
        Assert.Equal("Running", waiting.RuntimeStatus);
        Assert.Equal(3, waiting.CustomStatus.GetProperty("pinAttemptsLeft").GetInt32());
        Assert.True(waiting.CustomStatus.GetProperty("pinDeadline").GetDateTimeOffset() > DateTimeOffset.UtcNow);
        Assert.Equal(JsonValueKind.Null, waiting.Body.GetProperty("output").ValueKind);

        using (HttpResponseMessage accepted = await Api.PostPinAsync(started.PinPostUri, LocalHostFixture.DefaultPin))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            Assert.Equal(started.StatusQueryGetUri, accepted.Headers.Location);
        }

        CommandStatus finished = await Api.WaitForFinishedAsync(started.StatusQueryGetUri);
        Assert.Equal(HttpStatusCode.OK, finished.StatusCode);
        Assert.Equal("Completed", finished.RuntimeStatus);
        Assert.Equal("Succeeded", finished.Outcome);
        Assert.Equal("SUCCEEDED", finished.Output.GetProperty("status").GetString());
        Assert.Equal(1, finished.Output.GetProperty("pinAttemptsUsed").GetInt32());
        Assert.False(finished.Output.GetProperty("resetStepUsed").GetBoolean());
        Assert.False(string.IsNullOrEmpty(finished.Output.GetProperty("transactionId").GetString()));
        Assert.Equal(JsonValueKind.Null, finished.Body.GetProperty("customStatus").ValueKind);
        Assert.DoesNotContain(LocalHostFixture.DefaultPin, finished.Body.GetRawText(), StringComparison.Ordinal);

        // Upstream: the call (2302), the OTP request with the PIN, the call again with the OTP; each executed once.
        IReadOnlyList<RequestLogEntry> log = await fixture.Simulator.GetRequestsAsync(vin);
        Assert.Collection(
            log,
            call => Assert.Equal((TestCommands.StrongAuthApi, false, "FAILED", (int?)2302), (call.Api, call.HasOtp, call.Status, call.ErrorCode)),
            otp => Assert.Equal((RequestLog.OtpApi, "SUCCEEDED"), (otp.Api, otp.Status)),
            retried => Assert.Equal((TestCommands.StrongAuthApi, true, "SUCCEEDED"), (retried.Api, retried.HasOtp, retried.Status)));
        Assert.All(log, e => Assert.False(e.Replayed));
        Assert.Null(RequestLog.EachKeyExecutedOnce(log));
        IssuedOtp issued = Assert.Single(await fixture.Simulator.GetOtpsAsync(vin));
        Assert.True(issued.Used);
    }

    [Fact]
    public async Task A_wrong_pin_is_rejected_and_the_command_waits_for_another_one_on_the_next_rounds_link_and_succeeds_with_the_right_pin()
    {
        string vin = TestVins.New();
        await fixture.Simulator.SetPinAsync(vin, "4321");
        StartedCommand started = await Api.StartAsync(TestCommands.StrongAuth(vin));
        await Api.WaitForStageAsync(started.StatusQueryGetUri, "AwaitingPin");

        Uri secondRound = await Api.DeliverPinAsync(started.PinPostUri, "1111");
        CommandStatus rejected = await Api.WaitForRejectedPinAsync(started.StatusQueryGetUri);
        Assert.Equal(2, rejected.CustomStatus.GetProperty("pinAttemptsLeft").GetInt32());
        Assert.Equal(2, rejected.CustomStatus.GetProperty("pinRound").GetInt32());

        // The first round's link took its PIN: it never takes another, and nothing reaches the command.
        using (HttpResponseMessage stale = await Api.PostPinAsync(started.PinPostUri, "4321"))
        {
            JsonElement problem = await Problems.AssertAsync(stale, HttpStatusCode.Conflict, "PIN link of an earlier round");
            Assert.Contains("round 1", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(2, (await Api.GetStatusAsync(started.StatusQueryGetUri)).CustomStatus.GetProperty("pinAttemptsLeft").GetInt32());

        await Api.DeliverPinAsync(secondRound, "4321");
        CommandStatus finished = await Api.WaitForFinishedAsync(started.StatusQueryGetUri);

        Assert.Equal("Succeeded", finished.Outcome);
        Assert.Equal(2, finished.Output.GetProperty("pinAttemptsUsed").GetInt32());
        IReadOnlyList<RequestLogEntry> log = await fixture.Simulator.GetRequestsAsync(vin);
        Assert.Collection(
            log,
            call => Assert.Equal((int?)2302, call.ErrorCode),
            wrongPin => Assert.Equal((RequestLog.OtpApi, "FAILED"), (wrongPin.Api, wrongPin.Status)),
            rightPin => Assert.Equal((RequestLog.OtpApi, "SUCCEEDED"), (rightPin.Api, rightPin.Status)),
            retried => Assert.Equal((true, "SUCCEEDED"), (retried.HasOtp, retried.Status)));
        Assert.Null(RequestLog.EachKeyExecutedOnce(log));
    }

    [Theory]
    [InlineData(2317)]
    [InlineData(2312)]
    public async Task An_otp_request_refused_with_a_stale_step_is_repeated_with_resetStep_and_the_command_succeeds(int code)
    {
        string vin = TestVins.New();
        await fixture.Simulator.QueueErrorsAsync(vin, RequestLog.OtpApi, [code]);
        StartedCommand started = await Api.StartAsync(TestCommands.StrongAuth(vin));
        await Api.WaitForStageAsync(started.StatusQueryGetUri, "AwaitingPin");

        await Api.DeliverPinAsync(started.PinPostUri, LocalHostFixture.DefaultPin);
        CommandStatus finished = await Api.WaitForFinishedAsync(started.StatusQueryGetUri);

        Assert.Equal("Succeeded", finished.Outcome);
        Assert.True(finished.Output.GetProperty("resetStepUsed").GetBoolean());
        Assert.Equal(1, finished.Output.GetProperty("pinAttemptsUsed").GetInt32());
        IReadOnlyList<RequestLogEntry> log = await fixture.Simulator.GetRequestsAsync(vin);
        Assert.Collection(
            log,
            call => Assert.Equal((int?)2302, call.ErrorCode),
            stale => Assert.Equal((RequestLog.OtpApi, "FAILED", (int?)code), (stale.Api, stale.Status, stale.ErrorCode)),
            reset =>
            {
                // The resetStep repeat is its own logical call: the key of the first OTP request plus "-reset-1".
                Assert.Equal((RequestLog.OtpApi, "SUCCEEDED"), (reset.Api, reset.Status));
                Assert.Equal(log[1].IdempotencyKey + "-reset-1", reset.IdempotencyKey);
            },
            retried => Assert.Equal((true, "SUCCEEDED"), (retried.HasOtp, retried.Status)));
        Assert.Null(RequestLog.EachKeyExecutedOnce(log));
    }
}
