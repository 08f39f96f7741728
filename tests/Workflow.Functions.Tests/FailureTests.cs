using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Workflow.Functions.Tests.Support;
using Workflow.Testing;
using Workflow.Testing.Vins;
using Workflow.VehicleSimulator.State;

namespace Workflow.Functions.Tests;

/// <summary>
/// Failures under the Functions host: an activity that throws reaches the orchestrator through the Durable extension with
/// its exception type (the retry policy and the give-up rule go by it), and an orchestration that fails shows why.
/// The simulator's faults apply to every request, so these tests share the host collection (its tests run one at a time).
/// </summary>
[Collection(SharedFunctionsHost.Name)]
public sealed class FailureTests(FunctionsHostFixture fixture)
{
    // Each activity attempt sends 1 + VehicleApi:RetryCount requests before the activity throws VehicleApiTransientException.
    private const int RequestsPerActivityAttempt = 1 + FunctionsHostFixture.HttpRetryCount;

    [Fact]
    public async Task AnActivityThatFailsTransientlyIsRetriedDurablyAndTheCommandSucceeds()
    {
        using CommandsClient commands = fixture.Commands;
        string vin = TestVins.New();

        // Exactly enough 503s to fail the first activity attempt: only a durable retry (a second activity run) gets through.
        await fixture.SimulatorControl.InjectFaultsAsync(503, RequestsPerActivityAttempt);
        StartedCommand command = await commands.StartAsync(vin, "pims.vehicle.informations", new { actionType = "remote", action = "get" });
        JsonElement output = (await commands.WaitForFinishAsync(command)).GetProperty("output");

        Assert.Equal("Succeeded", output.GetProperty("outcome").GetString());
        IReadOnlyList<RequestLogEntry> log = await fixture.SimulatorControl.GetRequestsAsync(vin);
        Assert.Equal([.. Enumerable.Repeat(503, RequestsPerActivityAttempt), 200], log.Select(e => e.HttpStatus));
        Assert.Single(log.Select(e => e.IdempotencyKey).Distinct());
        Assert.Empty(await fixture.SimulatorControl.GetFaultsAsync());
    }

    [Fact]
    public async Task AVehicleApiThatStaysUnavailableEndsTheCommandWithVehicleUnavailable503()
    {
        using CommandsClient commands = fixture.Commands;
        string vin = TestVins.New();

        await fixture.SimulatorControl.InjectFaultsAsync(503, RequestsPerActivityAttempt * FunctionsHostFixture.RetryMaxAttempts);
        StartedCommand command = await commands.StartAsync(vin, "pims.vehicle.informations", new { actionType = "remote", action = "get" });
        JsonElement status = await commands.WaitForFinishAsync(command);

        // The orchestrator caught the activity's failure by its type (VehicleApiTransientException) and ended normally.
        Assert.Equal("Completed", status.GetProperty("runtimeStatus").GetString());
        JsonElement output = status.GetProperty("output");
        Assert.Equal("VehicleUnavailable", output.GetProperty("outcome").GetString());
        Assert.Equal("FAILED", output.GetProperty("status").GetString());
        Assert.Equal(503, output.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Contains(
            $"stayed unavailable after {FunctionsHostFixture.RetryMaxAttempts} attempts",
            output.GetProperty("error").GetProperty("label").GetString(),
            StringComparison.Ordinal);
        Assert.Equal(
            Enumerable.Repeat(503, RequestsPerActivityAttempt * FunctionsHostFixture.RetryMaxAttempts),
            (await fixture.SimulatorControl.GetRequestsAsync(vin)).Select(e => e.HttpStatus));
        Assert.Empty(await fixture.SimulatorControl.GetFaultsAsync());
    }

    [Fact]
    public async Task AnOrchestrationThatFailsKeepsItsFailureDetailsUnderTheHost()
    {
        string id = await StartInvalidOrchestrationAsync();
        using HttpClient operators = fixture.CreateClient(fixture.DurableSystemKey);

        object failed = await Eventually.GetAsync<object>(
            async () =>
            {
                using HttpResponseMessage response = await operators.GetAsync(new Uri($"runtime/webhooks/durabletask/instances/{id}?showHistory=true", UriKind.Relative));
                using JsonDocument instance = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                return instance.RootElement.GetProperty("runtimeStatus").GetString() == "Failed" ? instance.RootElement.Clone() : null;
            },
            $"orchestration {id} to fail");
        var status = (JsonElement)failed;

        // The output of a failed orchestration is the exception as plain text, not JSON; the details are in the history.
        Assert.StartsWith("System.ArgumentException: Invalid vehicle command", status.GetProperty("output").GetString(), StringComparison.Ordinal);
        JsonElement completed = Assert.Single(status.GetProperty("historyEvents").EnumerateArray(), e => e.GetProperty("EventType").GetString() == "ExecutionCompleted");
        JsonElement details = completed.GetProperty("FailureDetails");
        Assert.Equal(typeof(ArgumentException).FullName, details.GetProperty("ErrorType").GetString());
        Assert.StartsWith("Invalid vehicle command", details.GetProperty("ErrorMessage").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFailedCommandShowsItsFailureDetailsInTheCommandStatus()
    {
        string id = await StartInvalidOrchestrationAsync();
        using CommandsClient commands = fixture.Commands;
        var command = new StartedCommand(id, new Uri(fixture.BaseAddress, $"api/commands/{id}"), new Uri(fixture.BaseAddress, $"api/commands/{id}/pin"));

        JsonElement status = await commands.WaitForFinishAsync(command);

        Assert.Equal("Failed", status.GetProperty("runtimeStatus").GetString());
        JsonElement failure = status.GetProperty("failureDetails");
        Assert.Equal(typeof(ArgumentException).FullName, failure.GetProperty("errorType").GetString());
        Assert.StartsWith("Invalid vehicle command", failure.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
    }

    /// <summary>Only the operators' webhook can start an instance with an input the product API would refuse; the orchestrator throws on it.</summary>
    private async Task<string> StartInvalidOrchestrationAsync()
    {
        string id = "fn-fail-" + Guid.NewGuid().ToString("N");
        using HttpClient operators = fixture.CreateClient(fixture.DurableSystemKey);
        using HttpResponseMessage started = await operators.PostAsJsonAsync(
            new Uri($"runtime/webhooks/durabletask/orchestrators/VehicleCommand/{id}", UriKind.Relative),
            new { command = new { vin = "not-a-vin", api = "pims.vehicle.informations" }, settings = (object?)null });
        Assert.True(started.StatusCode == HttpStatusCode.Accepted, $"The webhook answered {(int)started.StatusCode}: {await started.Content.ReadAsStringAsync()}");
        return id;
    }
}
