using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Workflow.Secrets;
using Workflow.Vehicles.Tests.Infrastructure;

namespace Workflow.Vehicles.Tests;

/// <summary>
/// What an activity throws that is not an outage (a missing secret) is a host problem: it is not
/// retried and fails the orchestration, with the cause, instead of being passed off as the vehicle's or the user's fault.
/// </summary>
public sealed class MissingClientSecretTests(MissingClientSecretFixture fixture) : IClassFixture<MissingClientSecretFixture>
{
    private readonly VehicleWorkflowHost _host = fixture.Host;

    [Fact]
    public async Task A_missing_gateway_secret_fails_the_orchestration_naming_the_secret()
    {
        string vin = TestVins.New();
        string id = await _host.StartCommandAsync(vin, VehicleWorkflowHost.InformationsApi, VehicleWorkflowHost.Read);

        OrchestrationMetadata metadata = await _host.WaitForCompletionAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, metadata.RuntimeStatus);
        Assert.Contains(SecretNames.VehicleApiClientSecret, metadata.FailureDetails!.ErrorMessage, StringComparison.Ordinal);
        Assert.Empty(await _host.Simulator.GetRequestsAsync(vin));

        // Not an outage: no durable retry, so the orchestrator never gave up on one.
        Assert.Empty(_host.LogLines(id, "giving up"));
    }
}
