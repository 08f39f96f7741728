using System.ComponentModel.DataAnnotations;
using System.Net;
using Workflow.VehicleSimulator.Tests.Support;
using Xunit;

namespace Workflow.VehicleSimulator.Tests;

/// <summary>Starting and stopping: in-process (<see cref="VehicleSimulatorServer"/>) and standalone (<see cref="VehicleSimulatorApp.Build"/>).</summary>
public sealed class ServerTests
{
    [Fact]
    public async Task StartAsyncBindsAFreePortAndServesHealth()
    {
        await using var server = await VehicleSimulatorServer.StartAsync(new VehicleSimulatorOptions(), CancellationToken.None);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        using var response = await http.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal("127.0.0.1", server.BaseAddress.Host);
        Assert.NotEqual(0, server.BaseAddress.Port);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task StartAsyncRejectsInvalidOptions()
    {
        await Assert.ThrowsAsync<ValidationException>(
            () => VehicleSimulatorServer.StartAsync(new VehicleSimulatorOptions { DefaultPin = "12ab" }, CancellationToken.None));
    }

    [Theory]
    [InlineData("HornCooldown", "-00:00:01")]
    [InlineData("LightsCooldown", "1.00:00:01")]
    [InlineData("CommandDuration", "-00:00:01")]
    public async Task StartAsyncRejectsACooldownOrCommandDurationOutsideZeroToOneDay(string setting, string value)
    {
        var options = new VehicleSimulatorOptions();
        typeof(VehicleSimulatorOptions).GetProperty(setting)!.SetValue(options, TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture));

        var error = await Assert.ThrowsAsync<ValidationException>(() => VehicleSimulatorServer.StartAsync(options, CancellationToken.None));

        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoppedServerNoLongerAcceptsConnections()
    {
        var server = await VehicleSimulatorServer.StartAsync(new VehicleSimulatorOptions(), CancellationToken.None);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        await server.StopAsync(CancellationToken.None);
        await server.DisposeAsync();

        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri("/healthz", UriKind.Relative)));
    }

    [Fact]
    public async Task ServerUsesACopyOfTheOptions()
    {
        var options = new VehicleSimulatorOptions();
        await using var server = await VehicleSimulatorServer.StartAsync(options, CancellationToken.None);
        using var sim = new SimulatorClient(server.BaseAddress);

        options.DefaultPin = "999999";
        var answer = await sim.RequestOtpAsync(TestVins.Next(), SimulatorClient.DefaultPin);

        Assert.Equal("SUCCEEDED", answer.Status);
    }

    [Fact]
    public async Task StandaloneAppListensOnPort7072ByDefault()
    {
        await using var app = VehicleSimulatorApp.Build([]);

        // Only inspected, not started: the port may be taken by a simulator the developer runs.
        Assert.Equal(["http://127.0.0.1:7072"], app.Urls);
    }

    [Fact]
    public async Task StandaloneAppTakesUrlsAndSettingsFromTheCommandLine()
    {
        await using var app = VehicleSimulatorApp.Build(
            ["--urls", "http://127.0.0.1:0", "--VehicleSimulator:DefaultPin=654321", "--Logging:LogLevel:Default=Warning"]);
        await app.StartAsync();
        using var sim = new SimulatorClient(new Uri(app.Urls.Single()));

        var answer = await sim.RequestOtpAsync(TestVins.Next(), "654321");
        await app.StopAsync();

        Assert.Equal("SUCCEEDED", answer.Status);
    }
}
