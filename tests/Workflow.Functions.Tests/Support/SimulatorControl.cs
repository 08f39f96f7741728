using System.Net.Http.Json;
using System.Text.Json;

namespace Workflow.Functions.Tests.Support;

/// <summary>The vehicle simulator's <c>/_sim</c> control endpoints, over HTTP (see the simulator's README).</summary>
internal sealed class SimulatorControl(Uri simulator) : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly HttpClient _http = new() { BaseAddress = simulator };

    /// <summary>The PIN the simulator accepts for <paramref name="vin"/>.</summary>
    public async Task SetPinAsync(string vin, string pin, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await _http.PutAsJsonAsync($"_sim/vehicles/{vin}/pin", new { pin }, Json, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The next calls of <paramref name="api"/> for <paramref name="vin"/> fail with these codes, one per call.</summary>
    public async Task QueueErrorsAsync(string vin, string api, IReadOnlyList<int> codes, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await _http.PostAsJsonAsync($"_sim/vehicles/{vin}/next-errors", new { api, codes }, Json, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Every OTP the simulator has issued, to any vehicle.</summary>
    public async Task<IReadOnlyList<IssuedOtp>> GetIssuedOtpsAsync(CancellationToken cancellationToken)
        => await _http.GetFromJsonAsync<List<IssuedOtp>>("_sim/otps", Json, cancellationToken) ?? [];

    public void Dispose() => _http.Dispose();
}

/// <summary>An OTP as <c>GET /_sim/otps</c> shows it.</summary>
internal sealed record IssuedOtp(string Vin, string Otp, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, bool Used);
