using System.Net.Http.Json;
using Workflow.VehicleSimulator.Faults;
using Workflow.VehicleSimulator.State;

namespace Workflow.VehicleSimulator.Control;

/// <summary>
/// The simulator's <c>/_sim</c> control endpoints over HTTP, for tests and scripts that drive a running
/// simulator (see the simulator's README). Answers come back in the simulator's own record types.
/// </summary>
/// <param name="http">A client whose base address is the simulator's.</param>
public sealed class VehicleSimulatorControlClient(HttpClient http)
{
    /// <summary>Fault path of both pims endpoints, <c>/v1/pims/get</c> and <c>/v1/pims/set</c>.</summary>
    public const string PimsPaths = "/v1/pims/";

    /// <summary>The scriptable state of <paramref name="vin"/> (doors, engine, charging, account, strong-auth overrides…).</summary>
    /// <param name="vin">The vehicle.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<VehicleState> GetVehicleStateAsync(string vin, CancellationToken cancellationToken = default)
        => (await http.GetFromJsonAsync<VehicleState>($"_sim/vehicles/{vin}/state", SimulatorJson.Options, cancellationToken).ConfigureAwait(false))!;

    /// <summary>Changes the fields of <paramref name="vin"/>'s state that <paramref name="update"/> gives; returns the state after.</summary>
    /// <param name="vin">The vehicle.</param>
    /// <param name="update">The fields to change.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<VehicleState> SetVehicleStateAsync(string vin, VehicleStateUpdate update, CancellationToken cancellationToken = default)
    {
        using HttpResponseMessage response = await http.PutAsJsonAsync($"_sim/vehicles/{vin}/state", update, SimulatorJson.Options, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<VehicleState>(SimulatorJson.Options, cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>Whether a call of <paramref name="api"/> (with <paramref name="action"/>, or any action) needs an OTP for <paramref name="vin"/>.</summary>
    /// <param name="vin">The vehicle.</param>
    /// <param name="api"><c>pims.vehicle.command</c> or <c>pims.vehicle.informations</c>.</param>
    /// <param name="action">The action, or <c>null</c> for all of the API's.</param>
    /// <param name="required">Whether it needs one.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<VehicleState> SetStrongAuthAsync(string vin, string api, string? action, bool required, CancellationToken cancellationToken = default)
        => SetVehicleStateAsync(vin, new VehicleStateUpdate { StrongAuth = new Dictionary<string, bool> { [action is null ? api : $"{api}:{action}"] = required } }, cancellationToken);

    /// <summary>Unblocks <paramref name="vin"/>'s strong-authentication account (after 2310) and forgets its wrong PINs.</summary>
    /// <param name="vin">The vehicle.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task UnblockAccountAsync(string vin, CancellationToken cancellationToken = default)
        => await SendAsync(http.PostAsync($"_sim/vehicles/{vin}/unblock", content: null, cancellationToken)).ConfigureAwait(false);

    /// <summary>Expires every access token issued so far: their next pims call answers 2301 "Need Basic Authentication".</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task ExpireTokensAsync(CancellationToken cancellationToken = default)
        => await SendAsync(http.PostAsync("_sim/tokens/expire", content: null, cancellationToken)).ConfigureAwait(false);

    /// <summary>Sets the PIN the simulator accepts for <paramref name="vin"/>.</summary>
    /// <param name="vin">The vehicle.</param>
    /// <param name="pin">Its PIN from now on.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task SetPinAsync(string vin, string pin, CancellationToken cancellationToken = default)
        => await SendAsync(http.PutAsJsonAsync($"_sim/vehicles/{vin}/pin", new { pin }, SimulatorJson.Options, cancellationToken)).ConfigureAwait(false);

    /// <summary>Makes the next calls of <paramref name="api"/> for <paramref name="vin"/> fail with these codes, one per call.</summary>
    /// <param name="vin">The vehicle.</param>
    /// <param name="api">The pims API name.</param>
    /// <param name="codes">The pims error codes, in order.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task QueueErrorsAsync(string vin, string api, IReadOnlyList<int> codes, CancellationToken cancellationToken = default)
        => await SendAsync(http.PostAsJsonAsync($"_sim/vehicles/{vin}/next-errors", new { api, codes }, SimulatorJson.Options, cancellationToken)).ConfigureAwait(false);

    /// <summary>
    /// Makes the next <paramref name="count"/> requests to <paramref name="path"/> wait <paramref name="delayMs"/>, then
    /// answer <paramref name="status"/> (0: processed normally after the delay).
    /// </summary>
    /// <param name="status">The HTTP status to answer, or 0.</param>
    /// <param name="count">How many requests the fault applies to.</param>
    /// <param name="path">
    /// The vehicle API path it applies to; one ending with <c>/</c> applies to every path under it. The default,
    /// <c>/v1/pims/</c>, is both pims endpoints (<c>get</c> and <c>set</c>), not the token endpoint.
    /// </param>
    /// <param name="delayMs">How long each of them waits first.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task InjectFaultsAsync(int status, int count, string path = PimsPaths, int delayMs = 0, CancellationToken cancellationToken = default)
        => await SendAsync(http.PostAsJsonAsync("_sim/faults", new { status, count, delayMs, path }, SimulatorJson.Options, cancellationToken)).ConfigureAwait(false);

    /// <summary>The faults still pending.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyList<FaultRule>> GetFaultsAsync(CancellationToken cancellationToken = default)
        => await http.GetFromJsonAsync<List<FaultRule>>("_sim/faults", SimulatorJson.Options, cancellationToken).ConfigureAwait(false) ?? [];

    /// <summary>Drops every pending fault (<c>DELETE /_sim/faults</c>), for instance an outage injected with a large count.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task ClearFaultsAsync(CancellationToken cancellationToken = default)
        => await SendAsync(http.DeleteAsync("_sim/faults", cancellationToken)).ConfigureAwait(false);

    /// <summary>The OTPs the simulator has issued, to <paramref name="vin"/> or (<c>null</c>) to any vehicle.</summary>
    /// <param name="vin">The vehicle, or <c>null</c> for all.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyList<IssuedOtp>> GetOtpsAsync(string? vin = null, CancellationToken cancellationToken = default)
        => await http.GetFromJsonAsync<List<IssuedOtp>>(vin is null ? "_sim/otps" : $"_sim/otps?vin={vin}", SimulatorJson.Options, cancellationToken).ConfigureAwait(false) ?? [];

    /// <summary>The vehicle API requests the simulator has seen for <paramref name="vin"/>, oldest first.</summary>
    /// <param name="vin">The vehicle.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyList<RequestLogEntry>> GetRequestsAsync(string vin, CancellationToken cancellationToken = default)
        => await http.GetFromJsonAsync<List<RequestLogEntry>>($"_sim/requests?vin={vin}", SimulatorJson.Options, cancellationToken).ConfigureAwait(false) ?? [];

    private static async Task SendAsync(Task<HttpResponseMessage> sending)
    {
        using HttpResponseMessage response = await sending.ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }
}
