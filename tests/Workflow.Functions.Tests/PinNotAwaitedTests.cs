using System.Net;
using System.Text.Json;
using Workflow.Durable;
using Workflow.Functions.Tests.Support;

namespace Workflow.Functions.Tests;

/// <summary>
/// A PIN sent while the command is not waiting for one is refused (409) and not delivered. Its own class,
/// hence its own simulator: it makes that simulator hold vehicle calls, which would slow other tests down.
/// </summary>
public sealed class PinNotAwaitedTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    [Fact]
    public async Task A_pin_for_a_command_that_is_not_awaiting_one_is_409_and_is_not_delivered()
    {
        // The simulator holds the next vehicle calls (each until the client gives up on it), so the command
        // stays at CallingVehicle while the PIN arrives.
        using (var http = new HttpClient { BaseAddress = fixture.Simulator.BaseAddress })
        using (HttpResponseMessage fault = await http.PostAsync("_sim/faults", TestApp.Json("""{"status":0,"delayMs":120000,"count":3,"path":"/v1/pims/get"}""")))
        {
            Assert.Equal(HttpStatusCode.NoContent, fault.StatusCode);
        }

        JsonElement started = await fixture.Api.StartAsync(CommandsApi.Body(TestVins.New()));
        string id = started.GetProperty("id").GetString()!;

        using HttpResponseMessage response = await fixture.Api.PostPinAsync(started.GetProperty("pinPostUri").GetString()!, "1234");

        JsonElement problem = await BadInputTests.AssertProblemAsync(response, HttpStatusCode.Conflict, "Command not awaiting a PIN");
        Assert.Contains("AwaitingPin", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        OrchestrationMetadata? metadata = await fixture.App.Client.GetInstanceAsync(id, getInputsAndOutputs: false, getHistory: true);
        Assert.DoesNotContain(metadata!.History!, e => e.EventType == "EventRaised");
    }
}
