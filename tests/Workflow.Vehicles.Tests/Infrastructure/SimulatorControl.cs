using System.Net.Http.Json;
using System.Text.Json;

namespace Workflow.Vehicles.Tests.Infrastructure;

/// <summary>The simulator's <c>/_sim</c> control endpoints, over HTTP.</summary>
internal sealed class SimulatorControl(HttpClient http)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task SetPinAsync(string vin, string pin)
        => (await http.PutAsJsonAsync($"_sim/vehicles/{vin}/pin", new { pin }, Json)).EnsureSuccessStatusCode();

    public async Task QueueErrorsAsync(string vin, string api, params int[] codes)
        => (await http.PostAsJsonAsync($"_sim/vehicles/{vin}/next-errors", new { api, codes }, Json)).EnsureSuccessStatusCode();

    /// <summary>The next <paramref name="count"/> requests to <paramref name="path"/> wait <paramref name="delayMs"/>, then answer <paramref name="status"/> (0: are processed normally).</summary>
    public async Task InjectFaultsAsync(int status, int count, string path = "/v1/pims/get", int delayMs = 0)
        => (await http.PostAsJsonAsync("_sim/faults", new { status, count, delayMs, path }, Json)).EnsureSuccessStatusCode();

    public async Task<IReadOnlyList<SimFault>> GetFaultsAsync()
        => await http.GetFromJsonAsync<List<SimFault>>("_sim/faults", Json) ?? [];

    public async Task<IReadOnlyList<SimOtp>> GetOtpsAsync(string vin)
        => await http.GetFromJsonAsync<List<SimOtp>>($"_sim/otps?vin={vin}", Json) ?? [];

    public async Task<IReadOnlyList<SimRequest>> GetRequestsAsync(string vin)
        => await http.GetFromJsonAsync<List<SimRequest>>($"_sim/requests?vin={vin}", Json) ?? [];
}

internal sealed record SimFault(int Status, int Remaining, int DelayMs, string? Path);

internal sealed record SimOtp(string Vin, string Otp, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, bool Used);

internal sealed record SimRequest(
    DateTimeOffset At,
    string? Vin,
    string? Api,
    bool HasOtp,
    string? IdempotencyKey,
    bool Replayed,
    int HttpStatus,
    string? Status,
    int? ErrorCode);
