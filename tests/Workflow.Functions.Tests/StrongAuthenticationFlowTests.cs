using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using Workflow.Functions.Tests.Support;
using Workflow.Secrets;
using Workflow.Testing;

namespace Workflow.Functions.Tests;

/// <summary>
/// The product API end to end, as a client uses it: real Kestrel, Azurite, the simulator over HTTP.
/// The simulator answers a <c>pims.remote.*</c> call with 2302 until it gets an OTP, which it issues for PIN 123456.
/// </summary>
public sealed class StrongAuthenticationFlowTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private const string Pin = "123456";

    [Fact]
    public async Task A_command_that_needs_strong_authentication_waits_for_the_pin_and_then_succeeds()
    {
        CommandsApi api = fixture.Api;
        JsonElement started = await api.StartAsync(CommandsApi.Body(TestVins.New()));

        string id = started.GetProperty("id").GetString()!;
        string statusUri = started.GetProperty("statusQueryGetUri").GetString()!;
        string pinUri = started.GetProperty("pinPostUri").GetString()!;
        Assert.Equal($"{fixture.App.BaseAddress}api/commands/{id}", statusUri);
        Assert.StartsWith($"{fixture.App.BaseAddress}api/commands/{id}/pin?token=", pinUri, StringComparison.Ordinal);
        string management = $"{fixture.App.BaseAddress}runtime/webhooks/durabletask/instances/{id}";
        Assert.Equal($"{management}/raiseEvent/{{eventName}}", started.GetProperty("sendEventPostUri").GetString());
        Assert.Equal($"{management}/terminate?reason={{text}}", started.GetProperty("terminatePostUri").GetString());
        Assert.Equal(management, started.GetProperty("purgeHistoryDeleteUri").GetString());

        JsonElement waiting = await api.WaitForStageAsync(statusUri, "AwaitingPin");
        Assert.Equal(id, waiting.GetProperty("id").GetString());
        Assert.Equal("Running", waiting.GetProperty("runtimeStatus").GetString());
        JsonElement custom = waiting.GetProperty("customStatus");
        Assert.True(custom.GetProperty("pinAttemptsLeft").GetInt32() > 0);
        Assert.True(custom.GetProperty("pinDeadline").GetDateTime() > DateTime.UtcNow.AddSeconds(-5));
        Assert.Equal(JsonValueKind.Null, waiting.GetProperty("output").ValueKind);
        Assert.True(waiting.GetProperty("createdTime").GetDateTimeOffset() <= waiting.GetProperty("lastUpdatedTime").GetDateTimeOffset());

        using (HttpResponseMessage accepted = await api.PostPinAsync(pinUri, Pin))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            Assert.Equal(statusUri, accepted.Headers.Location?.AbsoluteUri);
        }

        JsonElement finished = await api.WaitForFinishedAsync(statusUri);
        Assert.Equal("Completed", finished.GetProperty("runtimeStatus").GetString());
        JsonElement output = finished.GetProperty("output");
        Assert.Equal("Succeeded", output.GetProperty("outcome").GetString());
        Assert.Equal("SUCCEEDED", output.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(output.GetProperty("transactionId").GetString()));

        // Everything stored for the command is encrypted with the data key: no VIN, PIN or result in clear.
        TableClient history = new((await AzuriteServer.Shared).ConnectionString, fixture.App.Settings.HubName + "History");
        List<TableEntity> rows = [.. history.Query<TableEntity>(e => e.PartitionKey == id)];
        Assert.NotEmpty(rows);
        string stored = string.Join('\n', rows.SelectMany(r => r.Select(p => p.Value)).OfType<string>());
        Assert.DoesNotContain(Pin, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(output.GetProperty("result").GetProperty("vin").GetString()!, stored, StringComparison.Ordinal);
        Assert.True(PayloadProtector.IsProtected(rows.Single(r => r.RowKey == "$instance").GetString("Input")));

        // Neither the PIN nor the token ever shows in a response or a log line.
        Assert.DoesNotContain(Pin, finished.GetRawText(), StringComparison.Ordinal);
        string token = new Uri(pinUri).Query["?token=".Length..];
        Assert.DoesNotContain(token, fixture.App.Logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain($"\"{Pin}\"", fixture.App.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_command_without_strong_authentication_completes_without_a_pin()
    {
        CommandsApi api = fixture.Api;
        JsonElement started = await api.StartAsync(CommandsApi.Body(TestVins.New(), api: "pims.vehicle.status", parameters: "{}"));

        JsonElement finished = await api.WaitForFinishedAsync(started.GetProperty("statusQueryGetUri").GetString()!);

        Assert.Equal("Completed", finished.GetProperty("runtimeStatus").GetString());
        Assert.Equal("Succeeded", finished.GetProperty("output").GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task The_status_of_a_running_command_is_202_with_Location_and_of_a_finished_one_200()
    {
        CommandsApi api = fixture.Api;
        JsonElement started = await api.StartAsync(CommandsApi.Body(TestVins.New()));
        string statusUri = started.GetProperty("statusQueryGetUri").GetString()!;
        await api.WaitForStageAsync(statusUri, "AwaitingPin");

        using (HttpResponseMessage running = await fixture.App.Http.GetAsync(statusUri))
        {
            Assert.Equal(HttpStatusCode.Accepted, running.StatusCode);
            Assert.Equal(statusUri, running.Headers.Location?.AbsoluteUri);
        }

        using (HttpResponseMessage pin = await api.PostPinAsync(started.GetProperty("pinPostUri").GetString()!, Pin))
        {
            Assert.Equal(HttpStatusCode.Accepted, pin.StatusCode);
        }

        await api.WaitForFinishedAsync(statusUri);
        using HttpResponseMessage finished = await fixture.App.Http.GetAsync(statusUri);
        Assert.Equal(HttpStatusCode.OK, finished.StatusCode);
        Assert.Equal("application/json; charset=utf-8", finished.Content.Headers.ContentType?.ToString());
    }

    [Fact]
    public async Task A_command_waiting_for_its_pin_survives_a_restart_of_the_app()
    {
        // Its own app, so stopping it does not disturb the other tests; same hub and data key for the second run.
        TestAppSettings settings = TestAppSettings.New(fixture.Simulator.BaseAddress);
        string statusPath;
        string pinPathAndQuery;
        await using (TestApp first = await fixture.StartAppAsync(settings))
        {
            var api = new CommandsApi(first);
            JsonElement started = await api.StartAsync(CommandsApi.Body(TestVins.New()));
            statusPath = new Uri(started.GetProperty("statusQueryGetUri").GetString()!).PathAndQuery;
            pinPathAndQuery = new Uri(started.GetProperty("pinPostUri").GetString()!).PathAndQuery;
            await api.WaitForStageAsync(statusPath, "AwaitingPin");
        }

        await using TestApp second = await fixture.StartAppAsync(settings);
        var restarted = new CommandsApi(second);
        JsonElement stillWaiting = await restarted.WaitForStageAsync(statusPath, "AwaitingPin");
        Assert.Equal("Running", stillWaiting.GetProperty("runtimeStatus").GetString());

        using (HttpResponseMessage accepted = await restarted.PostPinAsync(pinPathAndQuery, Pin))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        JsonElement finished = await restarted.WaitForFinishedAsync(statusPath);
        Assert.Equal("Completed", finished.GetProperty("runtimeStatus").GetString());
        Assert.Equal("Succeeded", finished.GetProperty("output").GetProperty("outcome").GetString());
    }
}
