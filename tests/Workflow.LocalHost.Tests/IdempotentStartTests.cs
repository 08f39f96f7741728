using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.DurableTask.Client;
using Workflow.LocalHost.Tests.Support;
using Workflow.VehicleSimulator.State;
using Workflow.Vehicles;

namespace Workflow.LocalHost.Tests;

/// <summary>A start with a caller's <c>instanceId</c>: repeating it is safe, reusing the id for something else is a 409.</summary>
[Collection(LocalHostApiTests.Name)]
public sealed class IdempotentStartTests(LocalHostFixture fixture)
{
    private CommandsClient Api => fixture.Api;

    [Fact]
    public async Task Repeating_a_start_with_the_same_instance_id_and_body_returns_the_same_command_and_calls_the_vehicle_once()
    {
        string instanceId = TestIds.Instance("same");
        string vin = TestVins.New();
        StartedCommand first = await Api.StartAsync(TestCommands.StrongAuth(vin, instanceId));
        await Api.WaitForStageAsync(first.StatusQueryGetUri, "AwaitingPin");

        // The same command with its properties (and its parameters' properties) in another order, while it waits for
        // its PIN: the answer is that command, its status (the PIN link was handed out once, by the first answer).
        using (HttpResponseMessage second = await Api.PostStartAsync(Reordered(TestCommands.StrongAuth(vin, instanceId))))
        {
            Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
            Assert.Equal(first.Location, second.Headers.Location);
            JsonElement body = JsonDocument.Parse(await second.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(instanceId, body.GetProperty("id").GetString());
            Assert.Equal("AwaitingPin", body.GetProperty("customStatus").GetProperty("stage").GetString());
        }

        Assert.Equal(instanceId, first.Id);
        OrchestrationMetadata? metadata = await fixture.App.Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true);
        Assert.Equal(OrchestrationRuntimeStatus.Running, metadata!.RuntimeStatus);

        // One command: one first call upstream, and the first answer's PIN link completes it.
        await Api.DeliverPinAsync(first.PinPostUri, LocalHostFixture.DefaultPin);
        CommandStatus finished = await Api.WaitForFinishedAsync(first.StatusQueryGetUri);
        Assert.Equal("Succeeded", finished.Outcome);
        IReadOnlyList<RequestLogEntry> log = await fixture.Simulator.GetRequestsAsync(vin);
        Assert.Single(log, e => e.Api == TestCommands.StrongAuthApi && !e.HasOtp);
        Assert.Null(RequestLog.EachKeyExecutedOnce(log));

        // Repeated after it finished: still the same command (its final status), not a second one.
        using (HttpResponseMessage third = await Api.PostStartAsync(TestCommands.StrongAuth(vin, instanceId)))
        {
            Assert.Equal(HttpStatusCode.OK, third.StatusCode);
            JsonElement body = JsonDocument.Parse(await third.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(instanceId, body.GetProperty("id").GetString());
            Assert.Equal("Succeeded", body.GetProperty("output").GetProperty("outcome").GetString());
        }

        Assert.Equal(log.Count, (await fixture.Simulator.GetRequestsAsync(vin)).Count);
    }

    [Theory]
    [InlineData("other parameters")]
    [InlineData("other api")]
    [InlineData("other vin")]
    public async Task Repeating_a_start_with_the_same_instance_id_and_another_body_is_409_and_leaves_the_command_as_it_was(string difference)
    {
        string instanceId = TestIds.Instance("conflict");
        string vin = TestVins.New();
        StartedCommand first = await Api.StartAsync(TestCommands.StrongAuth(vin, instanceId));
        await Api.WaitForStageAsync(first.StatusQueryGetUri, "AwaitingPin");
        string otherVin = TestVins.New();
        string other = difference switch
        {
            "other parameters" => CommandsClient.Body(vin, TestCommands.StrongAuthApi, instanceId, TestCommands.OtherStrongAuthParameters),
            "other api" => TestCommands.Plain(vin, instanceId),
            _ => TestCommands.StrongAuth(otherVin, instanceId),
        };

        using HttpResponseMessage response = await Api.PostStartAsync(other);

        JsonElement problem = await Problems.AssertAsync(response, HttpStatusCode.Conflict, "Instance id already in use");
        Assert.Contains(instanceId, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        OrchestrationMetadata? metadata = await fixture.App.Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true);
        VehicleCommandInput input = metadata!.ReadInputAs<VehicleCommandInput>()!;
        Assert.Equal((vin, TestCommands.StrongAuthApi), (input.Command.Vin, input.Command.Api));
        Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(TestCommands.StrongAuthParameters).RootElement, input.Command.Parameters!.Value), input.Command.Parameters.Value.GetRawText());
        CommandStatus status = await Api.GetStatusAsync(first.StatusQueryGetUri);
        Assert.Equal("AwaitingPin", status.Stage);
        Assert.Single(await fixture.Simulator.GetRequestsAsync(vin));
        Assert.Empty(await fixture.Simulator.GetRequestsAsync(otherVin));
    }

    /// <summary>The same JSON with every object's properties in reverse order.</summary>
    private static string Reordered(string json)
    {
        static JsonNode? Reverse(JsonNode? node) => node switch
        {
            JsonObject o => new JsonObject(o.Reverse().Select(p => KeyValuePair.Create(p.Key, Reverse(p.Value?.DeepClone())))),
            _ => node?.DeepClone(),
        };

        string reordered = Reverse(JsonNode.Parse(json))!.ToJsonString();
        Assert.NotEqual(json, reordered);
        return reordered;
    }
}
