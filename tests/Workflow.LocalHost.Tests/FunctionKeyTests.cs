using System.Net;
using Workflow.LocalHost.Tests.Support;

namespace Workflow.LocalHost.Tests;

/// <summary>
/// The function key, as the Functions host enforces it for <c>AuthorizationLevel.Function</c>: every product route answers
/// 401 <c>application/problem+json</c> without it or with a wrong one, and a refused request changes nothing.
/// </summary>
[Collection(LocalHostApiTests.Name)]
public sealed class FunctionKeyTests(LocalHostFixture fixture)
{
    public static TheoryData<string, string> RoutesAndKeys()
    {
        var data = new TheoryData<string, string>();
        foreach (string route in (string[])["start", "status", "pin"])
        {
            foreach (string key in (string[])["none", "wrong header", "wrong code"])
            {
                data.Add(route, key);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RoutesAndKeys))]
    public async Task Every_route_answers_401_problem_json_without_the_key_or_with_a_wrong_one_and_changes_nothing(string route, string key)
    {
        string vin = TestVins.New();
        string instanceId = TestIds.Instance("refused");
        StartedCommand? waiting = null;
        if (route != "start")
        {
            waiting = await fixture.Api.StartAsync(TestCommands.StrongAuth(vin));
            await fixture.Api.WaitForStageAsync(waiting.StatusQueryGetUri, "AwaitingPin");
        }

        // A wrong PIN for the PIN route: had it been delivered, the command would count a failed attempt.
        (HttpMethod method, Uri target, string? body) = route switch
        {
            "start" => (HttpMethod.Post, new Uri("api/commands", UriKind.Relative), TestCommands.StrongAuth(vin, instanceId)),
            "status" => (HttpMethod.Get, waiting!.StatusQueryGetUri, null),
            _ => (HttpMethod.Post, waiting!.PinPostUri, """{"pin":"0000"}"""),
        };

        using HttpRequestMessage request = Request(method, target, body, key);
        using HttpResponseMessage response = await fixture.Anonymous.Http.SendAsync(request);

        await Problems.AssertAsync(response, HttpStatusCode.Unauthorized, key == "none" ? "Function key required" : "Invalid function key");
        if (route == "start")
        {
            // Nothing was started, and the vehicle was not called.
            Assert.Equal(HttpStatusCode.NotFound, (await fixture.Api.GetStatusAsync(instanceId)).StatusCode);
            Assert.Empty(await fixture.Simulator.GetRequestsAsync(vin));
        }
        else
        {
            // Nothing was delivered: the command still waits with every attempt left and no event in its history; the
            // right PIN then completes it with one attempt used and one OTP request upstream.
            CommandStatus now = await fixture.Api.GetStatusAsync(waiting!.StatusQueryGetUri);
            Assert.Equal("AwaitingPin", now.Stage);
            Assert.Equal(3, now.CustomStatus.GetProperty("pinAttemptsLeft").GetInt32());
            Assert.DoesNotContain("EventRaised", await fixture.HistoryEventTypesAsync(waiting.Id));
            await fixture.Api.DeliverPinAsync(waiting.PinPostUri, LocalHostFixture.DefaultPin);
            CommandStatus finished = await fixture.Api.WaitForFinishedAsync(waiting.StatusQueryGetUri);
            Assert.Equal("Succeeded", finished.Outcome);
            Assert.Equal(1, finished.Output.GetProperty("pinAttemptsUsed").GetInt32());
            Assert.Single(await fixture.Simulator.GetRequestsAsync(vin), e => e.Api == RequestLog.OtpApi);
        }
    }

    [Fact]
    public async Task The_key_is_accepted_in_the_header_and_in_the_code_query_parameter()
    {
        using (HttpResponseMessage header = await fixture.Api.Http.GetAsync(new Uri("api/commands/no-such-command", UriKind.Relative)))
        {
            await Problems.AssertAsync(header, HttpStatusCode.NotFound, "Command not found");
        }

        using HttpResponseMessage query = await fixture.Anonymous.Http.GetAsync(
            new Uri($"api/commands/no-such-command?code={Uri.EscapeDataString(fixture.Settings.FunctionKey)}", UriKind.Relative));
        await Problems.AssertAsync(query, HttpStatusCode.NotFound, "Command not found");
    }

    private HttpRequestMessage Request(HttpMethod method, Uri target, string? body, string key)
    {
        Uri uri = fixture.Anonymous.Resolve(target);
        if (key == "wrong code")
        {
            uri = new Uri(uri + (uri.Query.Length == 0 ? "?" : "&") + "code=" + Uri.EscapeDataString(TestIds.FunctionKey()));
        }

        var request = new HttpRequestMessage(method, uri) { Content = body is null ? null : CommandsClient.Json(body) };
        if (key == "wrong header")
        {
            request.Headers.Add(CommandsClient.KeyHeader, TestIds.FunctionKey());
        }

        return request;
    }
}
