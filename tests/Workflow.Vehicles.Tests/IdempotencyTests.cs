using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Workflow.VehicleSimulator.State;
using Workflow.Vehicles.Activities;
using Workflow.Vehicles.Api;
using Workflow.Vehicles.Tests.Infrastructure;

namespace Workflow.Vehicles.Tests;

/// <summary>
/// <c>Idempotency-Key</c>s: <c>{instanceId}:{execution}:{step}</c>. An activity delivered twice (a worker crashed
/// after the call but before recording it) sends the same key, so the vehicle acts once and the second run gets the
/// first answer back; every logical step has its own key; a new execution under a reused instance id has new keys.
/// </summary>
public sealed class IdempotencyTests(DefaultWorkflowFixture fixture) : IClassFixture<DefaultWorkflowFixture>
{
    private const string RemoteApi = VehicleWorkflowHost.CommandApi;
    private readonly VehicleWorkflowHost _host = fixture.Host;

    [Fact]
    public async Task A_redelivered_otp_request_and_call_act_once_at_the_vehicle()
    {
        string vin = TestVins.New();
        const string instanceId = "crash-test";
        string execution = Guid.NewGuid().ToString("N");
        var protector = _host.Services.GetRequiredService<ISensitiveDataProtector>();
        string sealedPin = await _host.SealPinAsync(instanceId, 1, VehicleWorkflowHost.DefaultPin);

        var otpInput = new RequestVehicleOtpInput(vin, sealedPin, PinRound: 1, ResetStep: false, $"{instanceId}:{execution}:otp-1");
        OtpRequestOutcome firstOtp = await RunAsync<RequestVehicleOtpActivity, RequestVehicleOtpInput, OtpRequestOutcome>(VehicleActivityNames.RequestOtp, instanceId, otpInput);
        OtpRequestOutcome secondOtp = await RunAsync<RequestVehicleOtpActivity, RequestVehicleOtpInput, OtpRequestOutcome>(VehicleActivityNames.RequestOtp, instanceId, otpInput);

        string otp = Assert.Single(await _host.Simulator.GetOtpsAsync(vin)).Otp;
        Assert.Equal(otp, await protector.UnsealAsync(firstOtp.SealedOtp!, CancellationToken.None));
        Assert.Equal(otp, await protector.UnsealAsync(secondOtp.SealedOtp!, CancellationToken.None));
        Assert.Equal(firstOtp.TransactionId, secondOtp.TransactionId);

        var callInput = new CallVehicleApiInput(vin, RemoteApi, System.Text.Json.JsonSerializer.SerializeToElement(VehicleWorkflowHost.Lock), firstOtp.SealedOtp, $"{instanceId}:{execution}:call-2");
        VehicleApiMessage first = await RunAsync<CallVehicleApiActivity, CallVehicleApiInput, VehicleApiMessage>(VehicleActivityNames.CallVehicleApi, instanceId, callInput);
        VehicleApiMessage second = await RunAsync<CallVehicleApiActivity, CallVehicleApiInput, VehicleApiMessage>(VehicleActivityNames.CallVehicleApi, instanceId, callInput);

        Assert.True(first.IsSucceeded);
        Assert.True(second.IsSucceeded);
        Assert.Equal(first.TransactionId, second.TransactionId);
        Assert.True(Assert.Single(await _host.Simulator.GetOtpsAsync(vin)).Used);

        IReadOnlyList<RequestLogEntry> calls = [.. (await _host.Simulator.GetRequestsAsync(vin)).Where(r => r.Api == RemoteApi)];
        Assert.Equal(2, calls.Count);
        Assert.All(calls, c => Assert.Equal(callInput.IdempotencyKey, c.IdempotencyKey));
        Assert.Equal([false, true], calls.Select(c => c.Replayed));
    }

    [Fact]
    public async Task Every_logical_step_of_a_command_has_its_own_key_and_all_share_the_execution_part()
    {
        string vin = TestVins.New();
        await _host.Simulator.QueueErrorsAsync(vin, VehicleApiCodes.OtpApi, [2317]);
        string id = await _host.StartCommandAsync(vin, RemoteApi, VehicleWorkflowHost.Lock);
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);
        await _host.SubmitPinAsync(id, "1111");
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 2);
        await _host.SubmitPinAsync(id, VehicleWorkflowHost.DefaultPin);

        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.Succeeded, result.Outcome);
        IReadOnlyList<RequestLogEntry> requests = await _host.Simulator.GetRequestsAsync(vin);

        // Steps asserts the shape {id}:{32 hex}:{step} of every key and that they share one execution part.
        (_, IReadOnlyList<string> steps) = IdempotencyKeyShape.Steps(id, requests);
        Assert.Equal(["call-1", "otp-1", "otp-1-reset-1", "otp-2", "call-2"], steps);
        Assert.Equal(requests.Count, requests.Select(r => r.IdempotencyKey).Distinct(StringComparer.Ordinal).Count());
        Assert.DoesNotContain(requests, r => r.Replayed);
    }

    [Fact]
    public async Task A_new_command_under_a_purged_instance_id_gets_new_keys_and_really_calls_the_vehicle()
    {
        string vin = TestVins.New();
        string instanceId = "reused-" + Guid.NewGuid().ToString("N")[..12];
        string first = await _host.StartCommandAsync(vin, VehicleWorkflowHost.InformationsApi, VehicleWorkflowHost.Read, instanceId: instanceId);
        Assert.Equal(instanceId, first);
        (_, VehicleCommandResult firstResult) = await _host.WaitForResultAsync(instanceId);
        Assert.Equal(VehicleCommandOutcome.Succeeded, firstResult.Outcome);

        PurgeResult purged = await _host.Client.PurgeInstanceAsync(instanceId);
        Assert.Equal(1, purged.PurgedInstanceCount);
        Assert.Null(await _host.Client.GetInstanceAsync(instanceId));

        string second = await _host.StartCommandAsync(vin, VehicleWorkflowHost.InformationsApi, new { actionType = "remote", action = "refresh" }, instanceId: instanceId);
        Assert.Equal(instanceId, second);
        (_, VehicleCommandResult secondResult) = await _host.WaitForResultAsync(instanceId);

        IReadOnlyList<RequestLogEntry> requests = await _host.Simulator.GetRequestsAsync(vin);
        Assert.Equal(2, requests.Count);
        (string firstExecution, string firstStep) = IdempotencyKeyShape.Parse(instanceId, requests[0].IdempotencyKey);
        (string secondExecution, string secondStep) = IdempotencyKeyShape.Parse(instanceId, requests[1].IdempotencyKey);
        Assert.Equal("call-1", firstStep);
        Assert.Equal("call-1", secondStep);
        Assert.NotEqual(firstExecution, secondExecution);

        // The gateway acted on the second command instead of replaying the first one's answer.
        Assert.False(requests[1].Replayed);
        Assert.Equal(VehicleCommandOutcome.Succeeded, secondResult.Outcome);
        Assert.NotEqual(firstResult.TransactionId, secondResult.TransactionId);
        Assert.Equal("refresh", secondResult.Result!.Value.GetProperty("action").GetString());
    }

    private async Task<TOutput> RunAsync<TActivity, TInput, TOutput>(string name, string instanceId, TInput input)
        where TActivity : TaskActivity<TInput, TOutput>
    {
        using IServiceScope scope = _host.Services.CreateScope();
        var activity = scope.ServiceProvider.GetRequiredService<TActivity>();
        return await activity.RunAsync(new TestActivityContext(name, instanceId), input);
    }
}
