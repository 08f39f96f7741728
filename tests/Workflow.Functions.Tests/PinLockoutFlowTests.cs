using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Workflow.Durable;
using Workflow.Functions.Tests.Support;
using Workflow.Testing;

namespace Workflow.Functions.Tests;

/// <summary>
/// The per-vehicle PIN lockout end to end: the app over HTTP with a cap of two PIN attempts per vehicle and hour,
/// its shared table on Azurite, the simulator over HTTP (right PIN 123456). Each test starts its own app.
/// </summary>
public sealed class PinLockoutFlowTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private const string RightPin = "123456";
    private const string WrongPin = "0000";
    private const string OtpApi = "pims.authentication.otp";

    private static readonly Dictionary<string, string?> LockoutSettings = new()
    {
        ["VehicleWorkflow:MaxFailedPinAttemptsPerVehicle"] = "2",
        ["VehicleWorkflow:FailedPinAttemptWindow"] = "01:00:00",
    };

    [Fact]
    public async Task Once_a_vehicle_reaches_the_cap_its_pins_are_refused_with_429_and_not_delivered_while_other_vehicles_go_on()
    {
        await using TestApp app = await fixture.StartAppAsync(overrides: LockoutSettings);
        var api = new CommandsApi(app);
        string vin = TestVins.New();
        Command first = await StartAwaitingPinAsync(api, vin);
        Command second = await StartAwaitingPinAsync(api, vin);
        Command third = await StartAwaitingPinAsync(api, vin);

        // Two wrong PINs, in two commands: the vehicle's cap.
        foreach (Command command in new[] { first, second })
        {
            await AssertAcceptedAsync(await api.PostPinAsync(command.PinUri, WrongPin));
            await WaitForRejectedPinAsync(api, command);
        }

        using HttpResponseMessage refused = await api.PostPinAsync(third.PinUri, RightPin);

        JsonElement problem = await BadInputTests.AssertProblemAsync(refused, HttpStatusCode.TooManyRequests, "Too many failed PIN attempts");
        string detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains(vin, detail, StringComparison.Ordinal);
        Assert.Contains("not delivered", detail, StringComparison.Ordinal);
        Assert.DoesNotContain(RightPin, await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        TimeSpan retryAfter = refused.Headers.RetryAfter!.Delta!.Value;
        Assert.InRange(retryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));

        // Nothing was raised: the command still waits for its PIN with every attempt left.
        OrchestrationMetadata? waiting = await app.Client.GetInstanceAsync(third.Id, getInputsAndOutputs: false, getHistory: true);
        Assert.DoesNotContain(waiting!.History!, e => e.EventType == "EventRaised");
        JsonElement custom = (await api.GetStatusAsync(third.StatusUri)).Body.GetProperty("customStatus");
        Assert.Equal("AwaitingPin", custom.GetProperty("stage").GetString());
        Assert.Equal(3, custom.GetProperty("pinAttemptsLeft").GetInt32());

        // The management API's Pin event is refused the same way.
        using HttpResponseMessage raised = await app.Http.PostAsync(
            $"runtime/webhooks/durabletask/instances/{third.Id}/raiseEvent/Pin", TestApp.Json($$"""{"pin":"{{RightPin}}"}"""));
        await BadInputTests.AssertProblemAsync(raised, HttpStatusCode.TooManyRequests, "Too many failed PIN attempts");
        Assert.NotNull(raised.Headers.RetryAfter?.Delta);

        // The cap kept the gateway from seeing more than two PINs for the vehicle.
        Assert.Equal(2, await CountOtpRequestsAsync(vin));

        // Another vehicle is not affected.
        Command other = await StartAwaitingPinAsync(api, TestVins.New());
        await AssertAcceptedAsync(await api.PostPinAsync(other.PinUri, RightPin));
        JsonElement finished = await api.WaitForFinishedAsync(other.StatusUri);
        Assert.Equal("Succeeded", finished.GetProperty("output").GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Pins_that_passed_the_door_together_are_sent_only_up_to_the_cap_and_the_rest_end_PinLockedOut()
    {
        // As under the Functions host: activities run only when the test delivers their queue message, so three
        // PINs can all be accepted before any of them reaches the OTP activity.
        await using TestApp app = await fixture.StartAppAsync(overrides: new Dictionary<string, string?>(LockoutSettings)
        {
            ["Functions:ServeInvocations"] = "true",
            ["DurableTask:UseQueueListeners"] = "false",
        });
        var api = new CommandsApi(app);
        string vin = TestVins.New();
        var commands = new List<Command>();
        for (int i = 0; i < 3; i++)
        {
            JsonElement started = await api.StartAsync(CommandsApi.Body(vin));
            await DeliverNextWorkItemAsync(app); // the first vehicle call: 2302
            commands.Add(await WaitForAwaitingPinAsync(api, started));
        }

        foreach (Command command in commands)
        {
            await AssertAcceptedAsync(await api.PostPinAsync(command.PinUri, WrongPin));
        }

        for (int i = 0; i < commands.Count; i++)
        {
            await DeliverNextWorkItemAsync(app); // one OTP request each
        }

        var outcomes = new Dictionary<Command, JsonElement>();
        foreach (Command command in commands)
        {
            outcomes[command] = await WaitForPinSettledAsync(api, command);
        }

        JsonElement lockedOut = Assert.Single(outcomes.Values, body => body.GetProperty("runtimeStatus").GetString() == "Completed");
        JsonElement output = lockedOut.GetProperty("output");
        Assert.Equal("PinLockedOut", output.GetProperty("outcome").GetString());
        Assert.Equal("FAILED", output.GetProperty("status").GetString());
        Assert.Equal(429, output.GetProperty("error").GetProperty("code").GetInt32());
        Assert.StartsWith("Too many failed PIN attempts for this vehicle across commands", output.GetProperty("error").GetProperty("label").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, outcomes.Values.Count(body => body.GetProperty("runtimeStatus").GetString() == "Running"));
        Assert.Equal(2, await CountOtpRequestsAsync(vin));

        // The two commands still waiting are refused at the door from now on.
        Command waiting = outcomes.First(o => o.Value.GetProperty("runtimeStatus").GetString() == "Running").Key;
        using HttpResponseMessage refused = await api.PostPinAsync(waiting.PinUri, RightPin);
        await BadInputTests.AssertProblemAsync(refused, HttpStatusCode.TooManyRequests, "Too many failed PIN attempts");
    }

    private sealed record Command(string Id, string StatusUri, string PinUri);

    private static async Task<Command> StartAwaitingPinAsync(CommandsApi api, string vin)
        => await WaitForAwaitingPinAsync(api, await api.StartAsync(CommandsApi.Body(vin)));

    private static async Task<Command> WaitForAwaitingPinAsync(CommandsApi api, JsonElement started)
    {
        var command = new Command(
            started.GetProperty("id").GetString()!,
            started.GetProperty("statusQueryGetUri").GetString()!,
            started.GetProperty("pinPostUri").GetString()!);
        await api.WaitForStageAsync(command.StatusUri, "AwaitingPin");
        return command;
    }

    private static Task WaitForRejectedPinAsync(CommandsApi api, Command command)
        => Eventually.TrueAsync(
            async () => IsAwaitingAnotherPin((await api.GetStatusAsync(command.StatusUri)).Body),
            $"command {command.Id} to report its PIN rejected");

    /// <summary>The status once the command's PIN was settled: rejected (waiting for another) or the command finished.</summary>
    private static async Task<JsonElement> WaitForPinSettledAsync(CommandsApi api, Command command)
        => (JsonElement)await Eventually.GetAsync<object>(
            async () =>
            {
                (HttpStatusCode status, JsonElement body) = await api.GetStatusAsync(command.StatusUri);
                return status == HttpStatusCode.OK || IsAwaitingAnotherPin(body) ? body : null;
            },
            $"command {command.Id} to settle its PIN");

    private static bool IsAwaitingAnotherPin(JsonElement status)
        => status.GetProperty("customStatus") is { ValueKind: JsonValueKind.Object } custom
            && custom.TryGetProperty("lastPinRejected", out JsonElement rejected) && rejected.GetBoolean();

    private static async Task AssertAcceptedAsync(HttpResponseMessage response)
    {
        using (response)
        {
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"Expected 202, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    private async Task<int> CountOtpRequestsAsync(string vin)
    {
        using var http = new HttpClient { BaseAddress = fixture.Simulator.BaseAddress };
        List<JsonElement> requests = await http.GetFromJsonAsync<List<JsonElement>>($"_sim/requests?vin={vin}") ?? [];
        return requests.Count(r => r.GetProperty("api").GetString() == OtpApi);
    }

    /// <summary>Plays the Functions host for one work item: takes the next one off the queue, posts it to the app, deletes it once done.</summary>
    private static async Task DeliverNextWorkItemAsync(TestApp app)
    {
        AzuriteServer azurite = await AzuriteServer.Shared;
        var queue = new QueueClient(
            azurite.ConnectionString,
            $"{app.Settings.HubName.ToLowerInvariant()}-workitems",
            new QueueClientOptions(QueueClientOptions.ServiceVersion.V2025_01_05) { MessageEncoding = QueueMessageEncoding.Base64 });
        QueueMessage message = await Eventually.GetAsync(
            async () => (await queue.ReceiveMessagesAsync(1, TimeSpan.FromMinutes(1))).Value.FirstOrDefault(),
            $"a message on {queue.Name}");
        using HttpResponseMessage response = await app.Anonymous.PostAsync(
            "WorkItemQueueTrigger",
            new StringContent(FunctionsHostEmulator.InvocationBody(message.MessageText, message.DequeueCount, message.MessageId, message.PopReceipt), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
    }
}
