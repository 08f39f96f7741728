using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Workflow.Durable;
using Workflow.Functions.Tests.Support;
using Workflow.Testing;

namespace Workflow.Functions.Tests;

/// <summary>
/// The custom-handler invocation contract: the app, with its own queue listeners off as under the Functions
/// host, runs commands only through invocations posted the way the host posts queue-trigger messages.
/// </summary>
public sealed class CustomHandlerTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private static readonly Dictionary<string, string?> HostedSettings = new()
    {
        ["Functions:ServeInvocations"] = "true",
        ["DurableTask:UseQueueListeners"] = "false",

        // Every step through the queues, so the control-queue entry point does all orchestration work.
        ["DurableTask:EnableInlineExecution"] = "false",
    };

    [Fact]
    public async Task A_strong_authentication_command_completes_with_queue_triggers_delivered_as_invocations()
    {
        await using TestApp app = await fixture.StartAppAsync(overrides: HostedSettings);
        await using FunctionsHostEmulator host = await FunctionsHostEmulator.StartAsync(app.BaseAddress, app.Settings.HubName);
        var api = new CommandsApi(app);

        JsonElement started = await api.StartAsync(CommandsApi.Body(TestVins.New()));
        string statusUri = started.GetProperty("statusQueryGetUri").GetString()!;
        await api.WaitForStageAsync(statusUri, "AwaitingPin");
        using (HttpResponseMessage pin = await api.PostPinAsync(started.GetProperty("pinPostUri").GetString()!, "123456"))
        {
            Assert.Equal(HttpStatusCode.Accepted, pin.StatusCode);
        }

        JsonElement finished = await api.WaitForFinishedAsync(statusUri);

        Assert.Equal("Succeeded", finished.GetProperty("output").GetProperty("outcome").GetString());
        Assert.True(host.Deliveries >= 4, $"Only {host.Deliveries} invocations: the steps did not go through the queue triggers.");
        Assert.Equal(0, host.Failures);
    }

    [Fact]
    public async Task An_invocation_in_the_documented_shape_runs_one_step_and_gets_the_documented_response()
    {
        await using TestApp app = await fixture.StartAppAsync(overrides: HostedSettings);
        var api = new CommandsApi(app);
        JsonElement started = await api.StartAsync(CommandsApi.Body(TestVins.New(), api: "pims.vehicle.status", parameters: "{}"));
        string id = started.GetProperty("id").GetString()!;
        QueueMessage start = await ReceiveOneAsync(app.Settings.HubName, "control");

        using HttpResponseMessage response = await app.Anonymous.PostAsync(
            "ControlQueueTrigger", new StringContent(FunctionsHostEmulator.InvocationBody(start.MessageText, 1), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("""{"Outputs":{},"Logs":[],"ReturnValue":null}""", await response.Content.ReadAsStringAsync());
        OrchestrationMetadata? metadata = await app.Client.GetInstanceAsync(id);
        Assert.Equal(OrchestrationRuntimeStatus.Running, metadata!.RuntimeStatus);

        // The step scheduled the vehicle call: a work item, answered through the other function.
        QueueMessage workItem = await ReceiveOneAsync(app.Settings.HubName, "workitems");
        using HttpResponseMessage activity = await app.Anonymous.PostAsync(
            "WorkItemQueueTrigger", new StringContent(FunctionsHostEmulator.InvocationBody(workItem.MessageText, 2), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, activity.StatusCode);
        Assert.Equal("""{"Outputs":{},"Logs":[],"ReturnValue":null}""", await activity.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_message_delivered_as_a_json_object_and_a_dequeue_count_as_a_string_are_accepted()
    {
        await using TestApp app = await fixture.StartAppAsync(overrides: HostedSettings);
        await new CommandsApi(app).StartAsync(CommandsApi.Body(TestVins.New(), api: "pims.vehicle.status", parameters: "{}"));
        QueueMessage start = await ReceiveOneAsync(app.Settings.HubName, "control");
        string body = $$$"""{"Data":{"message":{{{start.MessageText}}}},"Metadata":{"DequeueCount":"1"}}""";

        using HttpResponseMessage response = await app.Anonymous.PostAsync("ControlQueueTrigger", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_message_that_fails_is_500_with_the_response_shape_and_a_log_line_so_the_host_retries_it()
    {
        await using TestApp app = await fixture.StartAppAsync(overrides: HostedSettings);

        using HttpResponseMessage response = await app.Anonymous.PostAsync(
            "WorkItemQueueTrigger", new StringContent(FunctionsHostEmulator.InvocationBody("not a runtime message", 3), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        JsonElement body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(JsonValueKind.Object, body.GetProperty("Outputs").ValueKind);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("ReturnValue").ValueKind);
        string log = Assert.Single(body.GetProperty("Logs").EnumerateArray()).GetString()!;
        Assert.Contains("WorkItemQueueTrigger failed (delivery 3)", log, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"Metadata":{}}""")]
    [InlineData("""{"Data":{"other":"x"},"Metadata":{}}""")]
    [InlineData("""{"Data":{"message":42},"Metadata":{}}""")]
    public async Task An_invocation_without_a_queue_message_is_400_with_the_response_shape(string body)
    {
        await using TestApp app = await fixture.StartAppAsync(overrides: HostedSettings);

        using HttpResponseMessage response = await app.Anonymous.PostAsync("ControlQueueTrigger", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        JsonElement answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains("Data.message", Assert.Single(answer.GetProperty("Logs").EnumerateArray()).GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outside_the_Functions_host_the_invocation_endpoints_are_not_served()
    {
        using HttpResponseMessage response = await fixture.App.Anonymous.PostAsync(
            "ControlQueueTrigger", new StringContent(FunctionsHostEmulator.InvocationBody("{}", 1), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Under_the_Functions_host_the_app_listens_on_the_handler_port_and_leaves_the_queues_to_the_host()
    {
        int port = FreePort.Next();
        await using TestApp app = await fixture.StartAppAsync(overrides: new Dictionary<string, string?> { ["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        Assert.Equal(new Uri($"http://127.0.0.1:{port}/"), app.BaseAddress);
        Assert.False(app.Services.GetRequiredService<IOptions<DurableTaskOptions>>().Value.UseQueueListeners);
        using HttpResponseMessage response = await app.Anonymous.PostAsync(
            "ControlQueueTrigger", new StringContent("""{"Data":{},"Metadata":{}}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private static async Task<QueueMessage> ReceiveOneAsync(string hubName, string suffix)
    {
        AzuriteServer azurite = await AzuriteServer.Shared;
        var queue = new QueueClient(
            azurite.ConnectionString,
            $"{hubName.ToLowerInvariant()}-{suffix}",
            new QueueClientOptions(QueueClientOptions.ServiceVersion.V2025_01_05) { MessageEncoding = QueueMessageEncoding.Base64 });
        return await Eventually.GetAsync(
            async () => (await queue.ReceiveMessagesAsync(1, TimeSpan.FromMinutes(1))).Value.FirstOrDefault(),
            $"a message on {queue.Name}");
    }
}
