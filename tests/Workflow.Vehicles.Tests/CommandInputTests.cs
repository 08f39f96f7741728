using Microsoft.DurableTask.Client;
using Workflow.VehicleSimulator.State;
using Workflow.Vehicles.Orchestration;
using Workflow.Vehicles.Tests.Infrastructure;

namespace Workflow.Vehicles.Tests;

/// <summary>
/// The orchestration input: the command plus the settings snapshot taken at start. An instance follows the settings
/// in its input, not the options of the host that happens to run it; an input the orchestrator cannot run fails the
/// instance with a message that says why, before anything is sent to the vehicle.
/// </summary>
public sealed class CommandInputTests(DefaultWorkflowFixture fixture) : IClassFixture<DefaultWorkflowFixture>
{
    private const string RemoteApi = VehicleWorkflowHost.CommandApi;
    private const string OtpApi = VehicleWorkflowHost.OtpApi;
    private readonly VehicleWorkflowHost _host = fixture.Host;

    [Fact]
    public async Task The_inputs_MaxPinAttempts_applies_even_though_the_hosts_options_say_otherwise()
    {
        Assert.Equal(3, _host.Options.MaxPinAttempts);
        string vin = TestVins.New();
        string id = await _host.StartCommandAsync(vin, RemoteApi, VehicleWorkflowHost.Lock, settings: _host.Settings with { MaxPinAttempts = 1 });

        VehicleCommandStatus awaiting = await _host.WaitForPinRequestAsync(id, attemptsLeft: 1);
        Assert.False(awaiting.LastPinRejected);
        await _host.SubmitPinAsync(id, "0000");
        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.PinAttemptsExhausted, result.Outcome);
        Assert.Equal(2308, result.Error!.Code);
        Assert.Equal(1, result.PinAttemptsUsed);
        Assert.Equal(["call-1", "otp-1"], IdempotencyKeyShape.Steps(id, await _host.Simulator.GetRequestsAsync(vin)).Steps);
    }

    [Fact]
    public async Task The_inputs_PinTimeout_applies_even_though_the_hosts_options_say_otherwise()
    {
        TimeSpan inputTimeout = TimeSpan.FromSeconds(1);
        Assert.Equal(TimeSpan.FromMinutes(5), _host.Options.PinTimeout);
        string vin = TestVins.New();
        string id = await _host.StartCommandAsync(vin, VehicleWorkflowHost.CommandApi, VehicleWorkflowHost.Horn, settings: _host.Settings with { PinTimeout = inputTimeout });
        VehicleCommandStatus awaiting = await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);
        DateTime seen = DateTime.UtcNow;

        // The wait began (orchestration time) between the start and the moment its status was read, and lasts the
        // input's timeout: with the host's five minutes, the deadline would lie far beyond that bracket.
        OrchestrationMetadata running = (await _host.Client.GetInstanceAsync(id))!;
        DateTime waitBegan = awaiting.PinDeadline!.Value.ToUniversalTime() - inputTimeout;
        Assert.InRange(waitBegan, running.CreatedAt.UtcDateTime, seen);

        // Well within the completion deadline (30 s), far short of the host's 5 minutes; not before the deadline announced.
        (OrchestrationMetadata finished, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.PinTimeout, result.Outcome);
        Assert.Equal(2302, result.Error!.Code);
        Assert.True(finished.LastUpdatedAt.UtcDateTime >= awaiting.PinDeadline.Value.ToUniversalTime(), $"Timed out at {finished.LastUpdatedAt:O}, before the announced deadline {awaiting.PinDeadline:O}.");
    }

    [Fact]
    public async Task The_inputs_ResetStepRetries_applies_even_though_the_hosts_options_say_otherwise()
    {
        Assert.Equal(1, _host.Options.ResetStepRetries);
        string vin = TestVins.New();
        await _host.Simulator.QueueErrorsAsync(vin, OtpApi, [2317]);
        string id = await _host.StartCommandAsync(vin, RemoteApi, VehicleWorkflowHost.Lock, settings: _host.Settings with { ResetStepRetries = 0 });
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);

        await _host.SubmitPinAsync(id, VehicleWorkflowHost.DefaultPin);
        (_, VehicleCommandResult result) = await _host.WaitForResultAsync(id);

        Assert.Equal(VehicleCommandOutcome.OtpFailed, result.Outcome);
        Assert.Equal(2317, result.Error!.Code);
        Assert.False(result.ResetStepUsed);
        Assert.Equal(["call-1", "otp-1"], IdempotencyKeyShape.Steps(id, await _host.Simulator.GetRequestsAsync(vin)).Steps);
    }

    [Fact]
    public async Task An_invalid_command_fails_with_a_clear_message()
    {
        string id = await _host.StartCommandAsync("too-short", RemoteApi, VehicleWorkflowHost.Lock);

        await AssertFailsAsync(id, "Invalid vehicle command: vin must be 17 letters or digits");
    }

    [Fact]
    public async Task The_otp_api_itself_is_refused_as_a_command()
    {
        string vin = TestVins.New();
        string id = await _host.StartCommandAsync(vin, OtpApi, new { action = "withPIN", pinCode = "123456" });

        await AssertFailsAsync(id, $"api '{OtpApi}' cannot be sent as a command");
        Assert.Empty(await _host.Simulator.GetRequestsAsync(vin));
    }

    [Theory]
    [InlineData("pims.vehicle.command", """{"action":"doors"}""", "parameters.doorState is required: lock or unlock")]
    [InlineData("pims.vehicle.command", """{"action":"doors","doorState":"open"}""", "parameters.doorState must be one of lock, unlock")]
    [InlineData("pims.vehicle.command", """{"doorState":"lock"}""", "parameters.action is required")]
    [InlineData("pims.vehicle.command", "null", "parameters are required for pims.vehicle.command")]
    [InlineData("pims.vehicle.informations", """{"action":"get"}""", "parameters.actionType is required: remote")]
    [InlineData("pims.remote.door.lock", "{}", "api 'pims.remote.door.lock' is not an API this product sends")]
    public async Task A_command_outside_the_catalogue_fails_naming_the_parameter_before_anything_is_sent(string api, string parameters, string expected)
    {
        string vin = TestVins.New();
        object? json = parameters == "null" ? null : System.Text.Json.JsonDocument.Parse(parameters).RootElement;
        string id = await _host.StartCommandAsync(vin, api, json);

        await AssertFailsAsync(id, expected);
        Assert.Empty(await _host.Simulator.GetRequestsAsync(vin));
    }

    [Fact]
    public async Task An_input_without_settings_fails_with_a_clear_message()
    {
        string vin = TestVins.New();
        var input = new VehicleCommandInput(new VehicleCommandRequest(vin, RemoteApi, System.Text.Json.JsonSerializer.SerializeToElement(VehicleWorkflowHost.Lock)), Settings: null!, Guid.NewGuid());
        string id = await _host.Client.ScheduleNewOrchestrationInstanceAsync(VehicleCommandNames.Orchestrator, input);

        await AssertFailsAsync(id, "settings are required");
        Assert.Empty(await _host.Simulator.GetRequestsAsync(vin));
    }

    [Fact]
    public async Task An_input_without_an_execution_id_fails_with_a_clear_message_before_anything_is_sent()
    {
        // Without it every execution under one instance id would share idempotency keys.
        string vin = TestVins.New();
        var input = new VehicleCommandInput(new VehicleCommandRequest(vin, RemoteApi, System.Text.Json.JsonSerializer.SerializeToElement(VehicleWorkflowHost.Lock)), _host.Settings, Guid.Empty);
        string id = await _host.Client.ScheduleNewOrchestrationInstanceAsync(VehicleCommandNames.Orchestrator, input);

        await AssertFailsAsync(id, "executionId is required");
        Assert.Empty(await _host.Simulator.GetRequestsAsync(vin));
    }

    [Fact]
    public async Task An_input_in_the_shape_before_the_settings_snapshot_fails_with_a_clear_message()
    {
        // {vin, api, parameters} at the top level, as instances were started before the input carried settings.
        string vin = TestVins.New();
        string id = await _host.Client.ScheduleNewOrchestrationInstanceAsync(VehicleCommandNames.Orchestrator, new VehicleCommandRequest(vin, RemoteApi, null));

        await AssertFailsAsync(id, "The command is required");
        Assert.Empty(await _host.Simulator.GetRequestsAsync(vin));
    }

    [Fact]
    public async Task No_input_at_all_fails_with_a_clear_message()
    {
        string id = await _host.Client.ScheduleNewOrchestrationInstanceAsync(VehicleCommandNames.Orchestrator);

        await AssertFailsAsync(id, "The input is required");
    }

    [Theory]
    [InlineData("maxPinAttempts", "VehicleWorkflow:MaxPinAttempts must be between 1 and 10")]
    [InlineData("pinTimeout", "VehicleWorkflow:PinTimeout must be between")]
    [InlineData("retryMaxAttempts", "VehicleWorkflow:RetryMaxAttempts must be between 1 and 50")]
    [InlineData("retryMaxInterval", "VehicleWorkflow:RetryMaxInterval must")]
    [InlineData("busyRetryAttempts", "VehicleWorkflow:BusyRetryAttempts must be between 0 and 20")]
    [InlineData("busyRetryDelay", "VehicleWorkflow:BusyRetryDelay must be between")]
    public async Task Settings_the_orchestrator_cannot_run_with_fail_the_instance_naming_the_setting(string setting, string expected)
    {
        VehicleCommandSettings valid = _host.Settings;
        VehicleCommandSettings invalid = setting switch
        {
            "maxPinAttempts" => valid with { MaxPinAttempts = 0 },
            "pinTimeout" => valid with { PinTimeout = TimeSpan.Zero },
            "retryMaxAttempts" => valid with { RetryMaxAttempts = 0 },
            "retryMaxInterval" => valid with { RetryMaxInterval = valid.RetryFirstInterval / 2 },
            "busyRetryAttempts" => valid with { BusyRetryAttempts = -1 },
            "busyRetryDelay" => valid with { BusyRetryDelay = TimeSpan.Zero },
            _ => throw new ArgumentOutOfRangeException(nameof(setting)),
        };
        string vin = TestVins.New();
        string id = await _host.StartCommandAsync(vin, RemoteApi, VehicleWorkflowHost.Lock, settings: invalid);

        await AssertFailsAsync(id, expected);
        IReadOnlyList<RequestLogEntry> requests = await _host.Simulator.GetRequestsAsync(vin);
        Assert.Empty(requests);
    }

    [Fact]
    public async Task A_retry_timeout_shorter_than_the_first_retry_interval_fails_the_instance_naming_the_setting()
    {
        // RetryPolicy refuses such a pair; the settings check should too, before anything runs, saying which setting.
        VehicleCommandSettings invalid = _host.Settings with { RetryTimeout = _host.Settings.RetryFirstInterval / 2 };
        string vin = TestVins.New();
        string id = await _host.StartCommandAsync(vin, RemoteApi, VehicleWorkflowHost.Lock, settings: invalid);

        OrchestrationMetadata metadata = await _host.WaitForCompletionAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, metadata.RuntimeStatus);
        Assert.Equal(typeof(ArgumentException).FullName, metadata.FailureDetails!.ErrorType);
        Assert.Contains("VehicleWorkflow:RetryTimeout must not be shorter than VehicleWorkflow:RetryFirstInterval", metadata.FailureDetails.ErrorMessage, StringComparison.Ordinal);
        Assert.Empty(await _host.Simulator.GetRequestsAsync(vin));
    }

    private async Task AssertFailsAsync(string id, string expected)
    {
        OrchestrationMetadata metadata = await _host.WaitForCompletionAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, metadata.RuntimeStatus);
        Assert.NotNull(metadata.FailureDetails);
        Assert.True(
            metadata.FailureDetails.ErrorType == typeof(ArgumentException).FullName && metadata.FailureDetails.ErrorMessage.Contains(expected, StringComparison.Ordinal),
            $"Expected an {typeof(ArgumentException).FullName} saying '{expected}'; got {metadata.FailureDetails.ErrorType}: {metadata.FailureDetails.ErrorMessage}");
        Assert.DoesNotContain("\"outcome\"", metadata.SerializedOutput ?? string.Empty, StringComparison.Ordinal);
    }
}
