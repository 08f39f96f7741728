using System.Net;
using System.Text;
using System.Text.Json;
using Workflow.Functions.Tests.Support;
using Workflow.Testing;
using Workflow.Testing.Vins;

namespace Workflow.Functions.Tests;

/// <summary>
/// Under the Functions host, every error the app itself answers is <c>application/problem+json</c> with a title and a
/// detail, and changes nothing. The host answers some requests before the app sees them (a missing or wrong key: 401,
/// see <see cref="KeyTests"/>; a method or path no trigger has); what it answers there is pinned here too, so a host
/// upgrade that changes it shows.
/// </summary>
[Collection(SharedFunctionsHost.Name)]
public sealed class ErrorAnswerTests(FunctionsHostFixture fixture)
{
    private const string VehicleCommand = "pims.vehicle.command";

    [Fact]
    public async Task EachErrorTheAppAnswersIsAProblemWithTitleAndDetailAndStartsOrDeliversNothing()
    {
        using CommandsClient commands = fixture.Commands;
        string vin = TestVins.New();
        string instanceId = "errors-" + Guid.NewGuid().ToString("N");
        StartedCommand started = await commands.StartAsync(vin, VehicleCommand, new { action = "doors", doorState = "lock" }, instanceId);
        await commands.WaitForStageAsync(started, "AwaitingPin");
        string otherVin = TestVins.New();

        await Problems.AssertAsync(
            commands.PostStartAsync(otherVin, VehicleCommand, new { action = "doors", doorState = "open" }),
            HttpStatusCode.BadRequest,
            "Invalid command request");
        await Problems.AssertAsync(
            commands.PostStartAsync(otherVin, VehicleCommand, new { action = "horn" }, instanceId),
            HttpStatusCode.Conflict,
            "Instance id already in use");
        using (var text = new StringContent($$$"""{"vin":"{{{otherVin}}}","api":"{{{VehicleCommand}}}","parameters":{"action":"horn"}}""", Encoding.UTF8, "text/plain"))
        {
            await Problems.AssertAsync(commands.Http.PostAsync(new Uri("api/commands", UriKind.Relative), text), HttpStatusCode.UnsupportedMediaType, "Unsupported content type");
        }

        using (var large = new StringContent($$"""{"vin":"{{otherVin}}","pad":"{{new string('x', 70 * 1024)}}"}""", Encoding.UTF8, "application/json"))
        {
            await Problems.AssertAsync(commands.Http.PostAsync(new Uri("api/commands", UriKind.Relative), large), HttpStatusCode.RequestEntityTooLarge, "Request body too large");
        }

        await Problems.AssertAsync(commands.Http.GetAsync(new Uri("api/commands/no-such-command", UriKind.Relative)), HttpStatusCode.NotFound, "Command not found");
        Uri forged = new(started.PinUri.GetLeftPart(UriPartial.Path) + "?token=1.1.AAAA", UriKind.Absolute);
        await Problems.AssertAsync(commands.Http.PostAsync(forged, Json("""{"pin":"1234"}""")), HttpStatusCode.Forbidden, "Invalid PIN token");

        // Nothing was started for the other VIN, nothing reached the waiting command: its right PIN completes it at once.
        Assert.Empty(await fixture.SimulatorControl.GetRequestsAsync(otherVin));
        (HttpStatusCode _, JsonElement waiting) = await commands.GetStatusAsync(started.StatusUri);
        Assert.Equal(3, waiting.GetProperty("customStatus").GetProperty("pinAttemptsLeft").GetInt32());
        await commands.DeliverPinAsync(started, fixture.RightPin);
        JsonElement output = (await commands.WaitForFinishAsync(started)).GetProperty("output");
        Assert.Equal(("Succeeded", 1), (output.GetProperty("outcome").GetString(), output.GetProperty("pinAttemptsUsed").GetInt32()));
    }

    [Theory]
    [InlineData("PUT", "api/commands")]
    [InlineData("DELETE", "api/commands/some-command")]
    [InlineData("GET", "api/no-such-route")]
    public async Task AMethodOrPathNoTriggerHasIsAnsweredByTheHostWith404AndNoBody(string method, string path)
    {
        using CommandsClient commands = fixture.Commands;
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));

        using HttpResponseMessage response = await commands.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(string.Empty, await response.Content.ReadAsStringAsync());
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
