using Microsoft.Extensions.DependencyInjection;
using Workflow.Durable;
using Workflow.VehicleSimulator.State;
using Workflow.Vehicles.Activities;
using Workflow.Vehicles.Api;
using Workflow.Vehicles.Tests.Infrastructure;

namespace Workflow.Vehicles.Tests;

/// <summary>
/// An activity delivered twice (a worker crashed after the call but before recording it) sends the same
/// <c>Idempotency-Key</c>, so the vehicle acts once and the second run gets the first answer back.
/// </summary>
public sealed class IdempotencyTests(DefaultWorkflowFixture fixture) : IClassFixture<DefaultWorkflowFixture>
{
    private const string RemoteApi = "pims.remote.door.unlock";
    private readonly VehicleWorkflowHost _host = fixture.Host;

    [Fact]
    public async Task A_redelivered_otp_request_and_call_act_once_at_the_vehicle()
    {
        string vin = TestVins.New();
        const string instanceId = "crash-test";
        var protector = _host.Services.GetRequiredService<ISensitiveDataProtector>();
        string sealedPin = await protector.SealAsync(VehicleWorkflowHost.DefaultPin, CancellationToken.None);

        var otpInput = new RequestVehicleOtpInput(vin, sealedPin, ResetStep: false, $"{instanceId}:otp-1");
        OtpRequestOutcome firstOtp = await RunAsync<RequestVehicleOtpActivity, RequestVehicleOtpInput, OtpRequestOutcome>(otpInput, taskId: 1, attempt: 1);
        OtpRequestOutcome secondOtp = await RunAsync<RequestVehicleOtpActivity, RequestVehicleOtpInput, OtpRequestOutcome>(otpInput, taskId: 1, attempt: 2);

        string otp = Assert.Single(await _host.Simulator.GetOtpsAsync(vin)).Otp;
        Assert.Equal(otp, await protector.UnsealAsync(firstOtp.SealedOtp!, CancellationToken.None));
        Assert.Equal(otp, await protector.UnsealAsync(secondOtp.SealedOtp!, CancellationToken.None));
        Assert.Equal(firstOtp.TransactionId, secondOtp.TransactionId);

        var callInput = new CallVehicleApiInput(vin, RemoteApi, null, firstOtp.SealedOtp, $"{instanceId}:call-2");
        VehicleApiMessage first = await RunAsync<CallVehicleApiActivity, CallVehicleApiInput, VehicleApiMessage>(callInput, taskId: 2, attempt: 1);
        VehicleApiMessage second = await RunAsync<CallVehicleApiActivity, CallVehicleApiInput, VehicleApiMessage>(callInput, taskId: 2, attempt: 2);

        Assert.True(first.IsSucceeded);
        Assert.True(second.IsSucceeded);
        Assert.Equal(first.TransactionId, second.TransactionId);
        Assert.True(Assert.Single(await _host.Simulator.GetOtpsAsync(vin)).Used);

        IReadOnlyList<RequestLogEntry> calls = [.. (await _host.Simulator.GetRequestsAsync(vin)).Where(r => r.Api == RemoteApi)];
        Assert.Equal(2, calls.Count);
        Assert.All(calls, c => Assert.Equal($"{instanceId}:call-2", c.IdempotencyKey));
        Assert.Equal([false, true], calls.Select(c => c.Replayed));
    }

    [Fact]
    public async Task Every_logical_step_of_a_command_has_its_own_key()
    {
        string vin = TestVins.New();
        await _host.Simulator.QueueErrorsAsync(vin, VehicleApiCodes.OtpApi, [2317]);
        string id = await _host.StartCommandAsync(vin, RemoteApi);
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);
        await _host.SubmitPinAsync(id, "1111");
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 2);
        await _host.SubmitPinAsync(id, VehicleWorkflowHost.DefaultPin);

        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.Succeeded, result.Outcome);
        IReadOnlyList<RequestLogEntry> requests = await _host.Simulator.GetRequestsAsync(vin);
        Assert.Equal(
            [$"{id}:call-1", $"{id}:otp-1", $"{id}:otp-1-reset-1", $"{id}:otp-2", $"{id}:call-2"],
            requests.Select(r => r.IdempotencyKey));
        Assert.DoesNotContain(requests, r => r.Replayed);
    }

    private async Task<TOutput> RunAsync<TActivity, TInput, TOutput>(TInput input, int taskId, int attempt)
        where TActivity : TaskActivity<TInput, TOutput>
    {
        using IServiceScope scope = _host.Services.CreateScope();
        var activity = ActivatorUtilities.CreateInstance<TActivity>(scope.ServiceProvider);
        var context = new TaskActivityContext(typeof(TActivity).Name, "crash-test", taskId, attempt, CancellationToken.None);
        return await activity.RunAsync(context, input);
    }
}
