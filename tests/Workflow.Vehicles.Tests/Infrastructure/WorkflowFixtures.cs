namespace Workflow.Vehicles.Tests.Infrastructure;

/// <summary>One workflow host shared by the tests of a class; tests isolate themselves with their own VIN.</summary>
public abstract class WorkflowFixture : IAsyncLifetime
{
    private VehicleWorkflowHost? _host;

    internal VehicleWorkflowHost Host => _host ?? throw new InvalidOperationException("The fixture is not initialized.");

    /// <summary>Settings on top of <see cref="VehicleWorkflowHost.BaseSettings"/>.</summary>
    protected virtual IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>();

    public async Task InitializeAsync() => _host = await VehicleWorkflowHost.StartAsync(ExtraSettings);

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}

/// <summary>Default limits: 3 PIN attempts, 1 resetStep retry, a PIN timeout long enough never to fire in a test.</summary>
public sealed class DefaultWorkflowFixture : WorkflowFixture;

/// <summary>A PIN timeout of 2 seconds, to see it fire.</summary>
public sealed class ShortPinTimeoutFixture : WorkflowFixture
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["VehicleWorkflow:PinTimeout"] = "00:00:02",
    };
}

/// <summary>Its own simulator, because injected faults hit whichever request comes next, whatever its VIN.</summary>
public sealed class FaultsWorkflowFixture : WorkflowFixture;

/// <summary>HTTP attempts time out after half a second, to see timeouts retried; its own simulator, for the faults.</summary>
public sealed class SlowGatewayFixture : WorkflowFixture
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["VehicleApi:AttemptTimeout"] = "00:00:00.500",
    };
}

/// <summary>At most two PIN attempts per vehicle within an hour, to reach the lockout in a few steps.</summary>
public sealed class PinLockoutFixture : WorkflowFixture
{
    public const int Cap = 2;
    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["VehicleWorkflow:MaxFailedPinAttemptsPerVehicle"] = "2",
        ["VehicleWorkflow:FailedPinAttemptWindow"] = "01:00:00",
    };
}

/// <summary>A host deployed without the gateway's client secret: a host problem, not a vehicle one.</summary>
public sealed class MissingClientSecretFixture : WorkflowFixture
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["Secrets:" + Workflow.Secrets.SecretNames.VehicleApiClientSecret] = null,
    };
}
