using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Workflow.VehicleSimulator.Tests.Support;
using Xunit;

namespace Workflow.VehicleSimulator.Tests;

public sealed class TokenTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    private readonly SimulatorClient _sim = fixture.Client;

    [Fact]
    public async Task FormCredentialsGetABearerTokenWithTheConfiguredLifetime()
    {
        using var response = await _sim.RequestTokenAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(string.IsNullOrEmpty(body.RootElement.GetProperty("access_token").GetString()));
        Assert.Equal("Bearer", body.RootElement.GetProperty("token_type").GetString());
        Assert.Equal(3600, body.RootElement.GetProperty("expires_in").GetInt32());
    }

    [Fact]
    public async Task BasicAuthCredentialsGetABearerToken()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/token", UriKind.Relative))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue(
            "Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{SimulatorClient.ClientId}:{SimulatorClient.ClientSecret}")));

        using var response = await _sim.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Bearer", body.RootElement.GetProperty("token_type").GetString());
    }

    [Fact]
    public async Task WrongSecretIsRejectedWith401InvalidClient()
    {
        using var response = await _sim.RequestTokenAsync(clientSecret: "not-the-secret");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("invalid_client", body.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task OtherGrantTypeIsRejectedWith400UnsupportedGrantType()
    {
        using var response = await _sim.RequestTokenAsync(grantType: "password");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("unsupported_grant_type", body.RootElement.GetProperty("error").GetString());
    }
}
