using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Workflow.VehicleSimulator.Tests.Support;

/// <summary>
/// One simulator per test class, on real Kestrel over a free port, driven by a fake clock so expiry
/// and delays are stepped by the test instead of waited for.
/// </summary>
public sealed class SimulatorFixture : IAsyncLifetime, IDisposable
{
    public static readonly DateTimeOffset Start = new(2030, 1, 1, 8, 0, 0, TimeSpan.Zero);

    private VehicleSimulatorServer? _server;
    private SimulatorClient? _client;

    public FakeTimeProvider Time { get; } = new(Start);

    public VehicleSimulatorServer Server => _server ?? throw new InvalidOperationException("Not started.");

    public SimulatorClient Client => _client ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        _server = await VehicleSimulatorServer.StartAsync(new VehicleSimulatorOptions { TimeProvider = Time }, CancellationToken.None);
        _client = new SimulatorClient(_server.BaseAddress);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    public void Dispose() => _client?.Dispose();
}
