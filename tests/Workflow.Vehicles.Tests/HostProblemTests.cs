using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Workflow.Secrets;
using Workflow.Vehicles.Tests.Infrastructure;

namespace Workflow.Vehicles.Tests;

/// <summary>
/// What an activity throws that is not an outage (a missing secret, a broken protector) is a host problem: it is not
/// retried and fails the orchestration, with the cause, instead of being passed off as the vehicle's or the user's fault.
/// </summary>
public sealed class MissingClientSecretTests(MissingClientSecretFixture fixture) : IClassFixture<MissingClientSecretFixture>
{
    private readonly VehicleWorkflowHost _host = fixture.Host;

    [Fact]
    public async Task A_missing_gateway_secret_fails_the_orchestration_naming_the_secret()
    {
        string vin = TestVins.New();
        string id = await _host.StartCommandAsync(vin, "pims.vehicle.status");

        OrchestrationMetadata metadata = await _host.WaitForCompletionAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, metadata.RuntimeStatus);
        Assert.Contains(SecretNames.VehicleApiClientSecret, metadata.FailureDetails!.ErrorMessage, StringComparison.Ordinal);
        Assert.Empty(await _host.Simulator.GetRequestsAsync(vin));

        // Not an outage: no durable retry, so the orchestrator never gave up on one.
        Assert.Empty(_host.LogLines(id, "giving up"));
    }
}

/// <summary>See <see cref="MissingClientSecretTests"/>: the PIN side.</summary>
public sealed class MissingDataKeyTests(MissingDataKeyFixture fixture) : IClassFixture<MissingDataKeyFixture>
{
    private readonly VehicleWorkflowHost _host = fixture.Host;

    [Fact]
    public async Task A_pin_the_host_cannot_open_for_lack_of_its_data_key_does_not_use_up_one_of_the_users_attempts()
    {
        string vin = TestVins.New();

        // A short wait, so that the outcome shows at once whichever way it goes.
        string id = await _host.StartCommandAsync(vin, "pims.remote.door.lock", settings: _host.Settings with { PinTimeout = TimeSpan.FromSeconds(1) });
        await _host.WaitForPinRequestAsync(id, attemptsLeft: 3);

        // Sealed correctly, by an API host that has the key (version "config", as this host's store would name it).
        IConfiguration apiHost = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Secrets:" + SecretNames.DataProtectionKey] = Convert.ToBase64String(new byte[32]) })
            .Build();
        string sealedPin = await new PayloadProtector(new ConfigurationSecretStore(apiHost)).ProtectAsync(PinSeal.Compose(id, 1, VehicleWorkflowHost.DefaultPin));
        await _host.Client.RaiseEventAsync(id, VehicleCommandNames.PinEvent, new PinSubmission(sealedPin, 1));

        OrchestrationMetadata metadata = await _host.WaitForCompletionAsync(id);

        Assert.True(
            metadata.RuntimeStatus == OrchestrationRuntimeStatus.Failed,
            $"A host that cannot read its data key fails the command as a host problem; got {metadata.RuntimeStatus}, output {metadata.SerializedOutput}");
        Assert.Contains(SecretNames.DataProtectionKey, metadata.FailureDetails!.ErrorMessage, StringComparison.Ordinal);
    }
}
