using System.Net;
using System.Net.Http.Json;
using Workflow.VehicleSimulator.Tests.Support;
using Xunit;

namespace Workflow.VehicleSimulator.Tests;

public sealed class ControlValidationTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    private readonly SimulatorClient _sim = fixture.Client;

    [Theory]
    [InlineData("12")]
    [InlineData("123456789")]
    [InlineData("12ab")]
    public async Task PinThatIsNotFourToEightDigitsIsRejectedWith400(string pin)
    {
        using var response = await _sim.Http.PutAsJsonAsync(new Uri($"/_sim/vehicles/{TestVins.Next()}/pin", UriKind.Relative), new { pin });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task NextErrorsWithoutCodesIsRejectedWith400()
    {
        using var response = await _sim.Http.PostAsJsonAsync(
            new Uri($"/_sim/vehicles/{TestVins.Next()}/next-errors", UriKind.Relative),
            new { api = SimulatorClient.InformationsApi, codes = Array.Empty<int>() });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task ControlOnAMalformedVinIsRejectedWith400()
    {
        using var response = await _sim.Http.PutAsJsonAsync(new Uri("/_sim/vehicles/NOTAVIN/pin", UriKind.Relative), new { pin = "1234" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
