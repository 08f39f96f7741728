using System.Net;
using Workflow.VehicleSimulator.Tests.Support;
using Xunit;

namespace Workflow.VehicleSimulator.Tests;

/// <summary>What the vehicle API answers before any business logic: authentication and body checks.</summary>
public sealed class PimsTransportTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    private readonly SimulatorClient _sim = fixture.Client;

    [Fact]
    public async Task MissingBearerTokenIsRejectedWith401AndABearerChallenge()
    {
        using var response = await _sim.PostPimsAsync(new { vin = TestVins.Next(), api = SimulatorClient.InformationsApi, parameters = SimulatorClient.Read }, token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Fact]
    public async Task UnknownBearerTokenIsRejectedWith401AndABearerChallenge()
    {
        using var response = await _sim.PostPimsAsync(new { vin = TestVins.Next(), api = SimulatorClient.InformationsApi, parameters = SimulatorClient.Read }, token: "made-up");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Fact]
    public async Task MalformedJsonIsRejectedWith400ProblemJson()
    {
        var token = await _sim.NewTokenAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/pims/get", UriKind.Relative))
        {
            Content = new StringContent("{\"vin\": ", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", token);

        using var response = await _sim.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("SHORTVIN", "pims.vehicle.informations")]
    [InlineData("VF1AAAAAAAAAAAAAA", "")]
    public async Task InvalidVinOrApiIsRejectedWith400ProblemJson(string vin, string api)
    {
        using var response = await _sim.PostPimsAsync(new { vin, api }, await _sim.NewTokenAsync());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task NonObjectParametersAreRejectedWith400ProblemJson()
    {
        using var response = await _sim.PostPimsAsync(
            new { vin = TestVins.Next(), api = SimulatorClient.InformationsApi, parameters = "not-an-object" },
            await _sim.NewTokenAsync());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
