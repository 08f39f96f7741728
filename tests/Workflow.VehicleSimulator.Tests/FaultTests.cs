using System.Net;
using System.Text.Json;
using Workflow.VehicleSimulator.Tests.Support;
using Xunit;

namespace Workflow.VehicleSimulator.Tests;

/// <summary>
/// Faults are global to a server, so this class has its own and resets it before each test
/// (xunit runs one class's tests one at a time).
/// </summary>
public sealed class FaultTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>, IAsyncLifetime
{
    private readonly SimulatorClient _sim = fixture.Client;

    public Task InitializeAsync() => _sim.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Fault503TwiceThenTheRequestSucceeds()
    {
        var vin = TestVins.Next();
        var token = await _sim.NewTokenAsync();
        var body = new { vin, api = SimulatorClient.InformationsApi, parameters = SimulatorClient.Read };
        await _sim.AddFaultAsync(new { status = 503, count = 2, delayMs = 0, path = "/v1/pims/get" });

        var statuses = new List<HttpStatusCode>();
        string? lastMediaType = null;
        for (var i = 0; i < 3; i++)
        {
            using var response = await _sim.PostPimsAsync(body, token);
            statuses.Add(response.StatusCode);
            lastMediaType ??= response.Content.Headers.ContentType?.MediaType;
        }

        Assert.Equal([HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK], statuses);
        Assert.Equal("application/problem+json", lastMediaType);
        var logged = (await _sim.GetRequestsAsync(vin)).EnumerateArray().Select(e => e.GetProperty("httpStatus").GetInt32());
        Assert.Equal([503, 503, 200], logged);
    }

    [Fact]
    public async Task FaultedRequestDoesNotActSoItsRetrySucceeds()
    {
        var vin = TestVins.Next();
        var otp = await _sim.GetOtpAsync(vin);
        var token = await _sim.NewTokenAsync();
        var body = new { vin, api = SimulatorClient.CommandApi, parameters = SimulatorClient.Lock, otp };
        await _sim.AddFaultAsync(new { status = 500, count = 1, path = "/v1/pims/set" });

        using var faulted = await _sim.PostPimsAsync(body, token, verb: "set");
        var retried = await _sim.LockAsync(vin, otp);

        Assert.Equal(HttpStatusCode.InternalServerError, faulted.StatusCode);
        Assert.Equal("SUCCEEDED", retried.Status);
    }

    [Fact]
    public async Task FaultOnAPathEndingWithASlashAppliesToBothPimsVerbsButNotTheTokenEndpoint()
    {
        var vin = TestVins.Next();
        var token = await _sim.NewTokenAsync();
        await _sim.AddFaultAsync(new { status = 503, count = 2, path = "/v1/pims/" });

        using var set = await _sim.PostPimsAsync(new { vin, api = SimulatorClient.CommandApi, parameters = SimulatorClient.Lock }, token, verb: "set");
        using var tokenAnswer = await _sim.RequestTokenAsync();
        using var get = await _sim.PostPimsAsync(new { vin, api = SimulatorClient.InformationsApi, parameters = SimulatorClient.Read }, token);

        Assert.Equal(
            [HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable],
            new[] { set.StatusCode, tokenAnswer.StatusCode, get.StatusCode });
        Assert.Equal(["set", "get"], (await _sim.GetRequestsAsync(vin)).EnumerateArray().Select(e => e.GetProperty("verb").GetString()));
        Assert.Empty((await _sim.GetFaultsAsync()).EnumerateArray());
    }

    [Fact]
    public async Task FaultWithoutPathAppliesToTheTokenEndpointToo()
    {
        await _sim.AddFaultAsync(new { status = 502, count = 1 });

        using var faulted = await _sim.RequestTokenAsync();
        using var next = await _sim.RequestTokenAsync();

        Assert.Equal(HttpStatusCode.BadGateway, faulted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task FaultOnTheTokenPathLeavesPimsAlone()
    {
        var vin = TestVins.Next();
        await _sim.AddFaultAsync(new { status = 503, count = 1, path = "/v1/token" });

        var answer = await _sim.ReadAsync(vin);

        Assert.Equal("SUCCEEDED", answer.Status);
        Assert.Single((await _sim.GetFaultsAsync()).EnumerateArray());
    }

    [Fact]
    public async Task DelayOnlyFaultHoldsTheRequestForTheDelayThenProcessesItNormally()
    {
        var vin = TestVins.Next();
        var token = await _sim.NewTokenAsync();
        await _sim.AddFaultAsync(new { status = 0, count = 1, delayMs = 30_000, path = "/v1/pims/get" });

        var pending = _sim.PostPimsAsync(new { vin, api = SimulatorClient.InformationsApi, parameters = SimulatorClient.Read }, token);
        await WaitUntilFaultTakenAsync();

        // The fake clock has not moved, so the request is still held by the delay.
        Assert.False(pending.IsCompleted);
        fixture.Time.Advance(TimeSpan.FromMilliseconds(30_000));
        using var response = await pending;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("SUCCEEDED", PimsAnswer.Parse(await response.Content.ReadAsStringAsync()).Status);
    }

    [Fact]
    public async Task DeletingTheFaultsDropsEveryPendingOneAndTheApiAnswersAgain()
    {
        var control = new Workflow.VehicleSimulator.Control.VehicleSimulatorControlClient(_sim.Http);
        await control.InjectFaultsAsync(503, count: 1000);
        await _sim.AddFaultAsync(new { status = 502, count = 1, path = "/v1/token" });

        await control.ClearFaultsAsync();
        var answer = await _sim.ReadAsync(TestVins.Next());

        Assert.Empty(await control.GetFaultsAsync());
        Assert.Equal("SUCCEEDED", answer.Status);
    }

    [Theory]
    [InlineData("""{"status":302}""")]
    [InlineData("""{"status":503,"count":0}""")]
    [InlineData("""{"status":503,"delayMs":-1}""")]
    [InlineData("""{"status":503,"path":"/_sim/reset"}""")]
    [InlineData("""{"count":1}""")]
    public async Task InvalidFaultIsRejectedWith400(string body)
    {
        using var response = await _sim.Http.PostAsync(
            new Uri("/_sim/faults", UriKind.Relative),
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(JsonValueKind.Array, (await _sim.GetFaultsAsync()).ValueKind);
        Assert.Empty((await _sim.GetFaultsAsync()).EnumerateArray());
    }

    /// <summary>
    /// The simulator creates the delay timer in the same step as it takes the fault, so once the fault
    /// is gone from the list the timer exists and advancing the clock cannot race ahead of it.
    /// The guard only stops a broken build from hanging the run; nothing is timed.
    /// </summary>
    private async Task WaitUntilFaultTakenAsync()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while ((await _sim.GetFaultsAsync()).GetArrayLength() > 0)
        {
            guard.Token.ThrowIfCancellationRequested();
            await Task.Yield();
        }
    }
}
