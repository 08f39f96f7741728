using System.Net;
using System.Text.Json;
using Workflow.Functions.Tests.Support;
using Workflow.Testing.Vins;
using Workflow.VehicleSimulator.State;

namespace Workflow.Functions.Tests;

/// <summary>
/// Vehicle commands through the Functions host over HTTP, end to end: the HTTP triggers, the Durable orchestrator and its
/// activities in the isolated worker, the Durable extension's engine on Azurite, the simulator's vehicle API.
/// </summary>
[Collection(SharedFunctionsHost.Name)]
public sealed class CommandFlowTests(FunctionsHostFixture fixture)
{
    private const string VehicleCommand = "pims.vehicle.command";
    private const string Informations = "pims.vehicle.informations";
    private const string OtpApi = "pims.authentication.otp";

    [Fact]
    public async Task ACommandWithoutStrongAuthenticationSucceedsWithoutAskingForAPin()
    {
        using CommandsClient commands = fixture.Commands;
        string vin = TestVins.New();

        StartedCommand command = await commands.StartAsync(vin, Informations, new { actionType = "remote", action = "get" });
        JsonElement status = await commands.WaitForFinishAsync(command);

        Assert.Equal(command.Id, status.GetProperty("id").GetString());
        Assert.Equal("Completed", status.GetProperty("runtimeStatus").GetString());
        JsonElement output = status.GetProperty("output");
        Assert.Equal("SUCCEEDED", output.GetProperty("status").GetString());
        Assert.Equal("Succeeded", output.GetProperty("outcome").GetString());
        Assert.Equal(0, output.GetProperty("pinAttemptsUsed").GetInt32());
        Assert.False(output.GetProperty("resetStepUsed").GetBoolean());
        Assert.Equal(vin, output.GetProperty("result").GetProperty("vin").GetString());
        Assert.Equal("get", output.GetProperty("result").GetProperty("action").GetString());
        Assert.False(string.IsNullOrEmpty(output.GetProperty("transactionId").GetString()));

        RequestLogEntry call = Assert.Single(await fixture.SimulatorControl.GetRequestsAsync(vin));
        Assert.Equal((Informations, false, "SUCCEEDED"), (call.Api, call.HasOtp, call.Status));
    }

    [Fact]
    public async Task A2302WaitsForThePinThenRepeatsTheCallWithAnOtpAndSucceeds()
    {
        using CommandsClient commands = fixture.Commands;
        string vin = TestVins.New();

        StartedCommand command = await commands.StartAsync(vin, VehicleCommand, new { action = "doors", doorState = "lock" });
        JsonElement waiting = await commands.WaitForStageAsync(command, "AwaitingPin");

        // While it waits: 202, the attempts left, the deadline, no rejected PIN yet.
        Assert.Equal("Running", waiting.GetProperty("runtimeStatus").GetString());
        JsonElement custom = waiting.GetProperty("customStatus");
        Assert.Equal(3, custom.GetProperty("pinAttemptsLeft").GetInt32());
        Assert.False(custom.GetProperty("lastPinRejected").GetBoolean());
        Assert.True(custom.GetProperty("pinDeadline").GetDateTimeOffset() > waiting.GetProperty("createdTime").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, waiting.GetProperty("output").ValueKind);

        Assert.Equal(HttpStatusCode.Accepted, await commands.SubmitPinAsync(command, fixture.RightPin));
        JsonElement output = (await commands.WaitForFinishAsync(command)).GetProperty("output");

        Assert.Equal("Succeeded", output.GetProperty("outcome").GetString());
        Assert.Equal("SUCCEEDED", output.GetProperty("status").GetString());
        Assert.Equal("doors", output.GetProperty("result").GetProperty("action").GetString());
        Assert.Equal(1, output.GetProperty("pinAttemptsUsed").GetInt32());
        Assert.False(output.GetProperty("resetStepUsed").GetBoolean());

        IReadOnlyList<RequestLogEntry> log = await fixture.SimulatorControl.GetRequestsAsync(vin);
        Assert.Collection(
            log,
            e => Assert.Equal((VehicleCommand, false, "FAILED", (int?)2302), (e.Api, e.HasOtp, e.Status, e.ErrorCode)),
            e => Assert.Equal((OtpApi, "SUCCEEDED"), (e.Api, e.Status)),
            e => Assert.Equal((VehicleCommand, true, "SUCCEEDED"), (e.Api, e.HasOtp, e.Status)));
    }

    [Fact]
    public async Task AWrongPinBringsTheCommandBackToAwaitingPinItsLinkTakesNoOtherPinAndTheNextRoundsLinkCompletesIt()
    {
        using CommandsClient commands = fixture.Commands;
        string vin = TestVins.New();
        string wrongPin = fixture.RightPin == "000000" ? "111111" : "000000";

        StartedCommand command = await commands.StartAsync(vin, VehicleCommand, new { action = "warning" });
        await commands.WaitForStageAsync(command, "AwaitingPin");
        StartedCommand nextRound = await commands.DeliverPinAsync(command, wrongPin);

        JsonElement again = await commands.WaitForStageAsync(command, "AwaitingPin", c => c.GetProperty("lastPinRejected").GetBoolean());
        Assert.Equal(2, again.GetProperty("customStatus").GetProperty("pinAttemptsLeft").GetInt32());

        Assert.Equal(HttpStatusCode.Conflict, await commands.SubmitPinAsync(command, fixture.RightPin));
        await commands.DeliverPinAsync(nextRound, fixture.RightPin);
        JsonElement output = (await commands.WaitForFinishAsync(command)).GetProperty("output");

        Assert.Equal("Succeeded", output.GetProperty("outcome").GetString());
        Assert.Equal(2, output.GetProperty("pinAttemptsUsed").GetInt32());
        IReadOnlyList<RequestLogEntry> otpRequests = [.. (await fixture.SimulatorControl.GetRequestsAsync(vin)).Where(e => e.Api == OtpApi)];
        Assert.Collection(
            otpRequests,
            e => Assert.Equal(("FAILED", (int?)2308), (e.Status, e.ErrorCode)),
            e => Assert.Equal("SUCCEEDED", e.Status));
    }

    [Fact]
    public async Task AnOtpRequestRefusedWith2317IsRepeatedWithResetStepAndTheCommandSucceeds()
    {
        using CommandsClient commands = fixture.Commands;
        string vin = TestVins.New();
        await fixture.SimulatorControl.QueueErrorsAsync(vin, OtpApi, [2317]);

        StartedCommand command = await commands.StartAsync(vin, VehicleCommand, new { action = "horn" });
        await commands.WaitForStageAsync(command, "AwaitingPin");
        Assert.Equal(HttpStatusCode.Accepted, await commands.SubmitPinAsync(command, fixture.RightPin));
        JsonElement output = (await commands.WaitForFinishAsync(command)).GetProperty("output");

        Assert.Equal("Succeeded", output.GetProperty("outcome").GetString());
        Assert.True(output.GetProperty("resetStepUsed").GetBoolean());
        Assert.Equal(1, output.GetProperty("pinAttemptsUsed").GetInt32());

        // The simulator answers 2317 to every OTP request of the VIN until one carries resetStep: the second one did.
        IReadOnlyList<RequestLogEntry> otpRequests = [.. (await fixture.SimulatorControl.GetRequestsAsync(vin)).Where(e => e.Api == OtpApi)];
        Assert.Collection(
            otpRequests,
            e => Assert.Equal(("FAILED", (int?)2317), (e.Status, e.ErrorCode)),
            e =>
            {
                Assert.Equal("SUCCEEDED", e.Status);
                Assert.EndsWith(":otp-1-reset-1", e.IdempotencyKey, StringComparison.Ordinal);
            });
    }

    [Fact]
    public async Task WithoutAPinBeforeTheDeadlineTheCommandEndsWithPinTimeout()
    {
        using CommandsClient commands = fixture.Commands;
        string vin = TestVins.New();

        StartedCommand command = await commands.StartAsync(vin, VehicleCommand, new { action = "charge", startNow = true });
        await commands.WaitForStageAsync(command, "AwaitingPin");
        JsonElement status = await commands.WaitForFinishAsync(command, fixture.PinTimeout + CommandsClient.DefaultTimeout);

        Assert.Equal("Completed", status.GetProperty("runtimeStatus").GetString());
        JsonElement output = status.GetProperty("output");
        Assert.Equal("PinTimeout", output.GetProperty("outcome").GetString());
        Assert.Equal("FAILED", output.GetProperty("status").GetString());
        Assert.Equal(2302, output.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(0, output.GetProperty("pinAttemptsUsed").GetInt32());

        // A PIN after the end is refused and never reaches the vehicle API.
        Assert.Equal(HttpStatusCode.Conflict, await commands.SubmitPinAsync(command, fixture.RightPin));
        Assert.DoesNotContain(await fixture.SimulatorControl.GetRequestsAsync(vin), e => e.Api == OtpApi);
    }

    [Fact]
    public async Task RepeatingAStartWithTheSameInstanceIdAnswersTheCommandsStatusWithoutAPinLinkAndADifferentBodyIsRefused()
    {
        using CommandsClient commands = fixture.Commands;
        string vin = TestVins.New();
        string instanceId = "fn-test-" + Guid.NewGuid().ToString("N");

        StartedCommand first = await commands.StartAsync(vin, Informations, new { actionType = "remote", action = "get" }, instanceId: instanceId);
        await commands.WaitForFinishAsync(first);
        using HttpResponseMessage again = await commands.PostStartAsync(vin, Informations, new { actionType = "remote", action = "get" }, instanceId: instanceId);
        using JsonDocument repeated = JsonDocument.Parse(await again.Content.ReadAsStringAsync());
        using HttpResponseMessage other = await commands.PostStartAsync(vin, Informations, new { actionType = "remote", action = "refresh" }, instanceId: instanceId);

        Assert.Equal(instanceId, first.Id);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(instanceId, repeated.RootElement.GetProperty("id").GetString());
        Assert.Equal("Completed", repeated.RootElement.GetProperty("runtimeStatus").GetString());
        Assert.False(repeated.RootElement.TryGetProperty("pinPostUri", out _));
        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
        Assert.Equal("application/problem+json", other.Content.Headers.ContentType?.MediaType);
        Assert.Single(await fixture.SimulatorControl.GetRequestsAsync(vin));
    }

    [Fact]
    public async Task AnInvalidStartIsAProblemAndUnknownCommandsAreNotFound()
    {
        using CommandsClient commands = fixture.Commands;

        using HttpResponseMessage invalid = await commands.PostStartAsync("not-a-vin", Informations, new { actionType = "remote", action = "get" });
        using JsonDocument problem = JsonDocument.Parse(await invalid.Content.ReadAsStringAsync());
        using HttpResponseMessage unknown = await commands.Http.GetAsync(new Uri("api/commands/no-such-command", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal("application/problem+json", invalid.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Invalid command request", problem.RootElement.GetProperty("title").GetString());
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty("vin", out _));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
    }
}
