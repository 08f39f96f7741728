using Workflow.VehicleSimulator;

namespace Workflow.Functions.Tests.Support;

/// <summary>
/// One vehicle API simulator (in-process, free port) and one app on its own task hub per test class.
/// Tests that need a second app (a restart) start it with <see cref="StartAppAsync"/>.
/// </summary>
public sealed class AppFixture : IAsyncLifetime
{
    private VehicleSimulatorServer? _simulator;
    private TestApp? _app;

    internal VehicleSimulatorServer Simulator => _simulator ?? throw new InvalidOperationException("Not started.");

    internal TestApp App => _app ?? throw new InvalidOperationException("Not started.");

    internal CommandsApi Api => new(App);

    public async Task InitializeAsync()
    {
        _simulator = await VehicleSimulatorServer.StartAsync(new VehicleSimulatorOptions());
        _app = await TestApp.StartAsync(TestAppSettings.New(_simulator.BaseAddress));
    }

    internal Task<TestApp> StartAppAsync(TestAppSettings? settings = null, IDictionary<string, string?>? overrides = null)
        => TestApp.StartAsync(settings ?? TestAppSettings.New(Simulator.BaseAddress), overrides);

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        if (_simulator is not null)
        {
            await _simulator.DisposeAsync();
        }
    }
}
