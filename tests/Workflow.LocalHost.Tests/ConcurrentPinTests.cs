using System.Net;
using Workflow.LocalHost.Tests.Support;
using Workflow.VehicleSimulator.State;

namespace Workflow.LocalHost.Tests;

/// <summary>PIN intake takes one PIN per round, however many arrive at once.</summary>
[Collection(LocalHostApiTests.Name)]
public sealed class ConcurrentPinTests(LocalHostFixture fixture)
{
    private const int Submissions = 8;

    private CommandsClient Api => fixture.Api;

    [Fact]
    public async Task Of_concurrent_pins_for_one_round_exactly_one_is_accepted_the_others_get_409_and_one_attempt_is_used()
    {
        string vin = TestVins.New();
        StartedCommand started = await Api.StartAsync(TestCommands.StrongAuth(vin));
        await Api.WaitForStageAsync(started.StatusQueryGetUri, "AwaitingPin");

        HttpResponseMessage[] answers = await Task.WhenAll(
            Enumerable.Range(0, Submissions).Select(_ => Api.PostPinAsync(started.PinPostUri, LocalHostFixture.DefaultPin)));
        try
        {
            Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Accepted);
            // The others find the round claimed, or, arriving later, the command past its PIN (checking it, or done):
            // each a 409 that delivers nothing.
            foreach (HttpResponseMessage refused in answers.Where(a => a.StatusCode != HttpStatusCode.Accepted))
            {
                await Problems.AssertOneOfAsync(refused, HttpStatusCode.Conflict, ["PIN already received", "Command not awaiting a PIN", "Command already finished"]);
            }
        }
        finally
        {
            foreach (HttpResponseMessage answer in answers)
            {
                answer.Dispose();
            }
        }

        CommandStatus finished = await Api.WaitForFinishedAsync(started.StatusQueryGetUri);
        Assert.Equal("Succeeded", finished.Outcome);
        Assert.Equal(1, finished.Output.GetProperty("pinAttemptsUsed").GetInt32());
        IReadOnlyList<RequestLogEntry> log = await fixture.Simulator.GetRequestsAsync(vin);
        Assert.Single(log, e => e.Api == RequestLog.OtpApi);
    }
}
