using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Logging;
using Workflow.Durable;
using Workflow.Secrets;
using Workflow.Testing;
using Workflow.VehicleSimulator.Control;
using Workflow.VehicleSimulator;
using Workflow.Vehicles.Lockout;

namespace Workflow.Vehicles.Tests.Infrastructure;

/// <summary>
/// The vehicle workflow as the function app runs it, in miniature: the durable runtime in a generic host
/// on the shared Azurite (own task hub), the vehicle API client pointed at an in-process simulator on a
/// free port, the real payload protector, and every log line captured for inspection.
/// </summary>
internal sealed class VehicleWorkflowHost : IAsyncDisposable
{
    /// <summary>The simulator's default PIN.</summary>
    public const string DefaultPin = "123456";

    private readonly IHost _host;
    private readonly VehicleSimulatorServer _simulator;
    private readonly HttpClient _simulatorHttp;

    private VehicleWorkflowHost(IHost host, VehicleSimulatorServer simulator, HttpClient simulatorHttp)
    {
        _host = host;
        _simulator = simulator;
        _simulatorHttp = simulatorHttp;
        Simulator = new VehicleSimulatorControlClient(simulatorHttp);
    }

    public DurableTaskClient Client => _host.Services.GetRequiredService<DurableTaskClient>();

    public IServiceProvider Services => _host.Services;

    public VehicleSimulatorControlClient Simulator { get; }

    public FakeLogCollector Logs => _host.Services.GetRequiredService<FakeLogCollector>();

    public InMemoryPinAttemptLimiter PinAttempts => _host.Services.GetRequiredService<InMemoryPinAttemptLimiter>();

    /// <summary>Settings every test host starts with: short delays so retries and failures are quick.</summary>
    public static Dictionary<string, string?> BaseSettings(Uri simulator) => new()
    {
        ["VehicleApi:BaseUrl"] = simulator.ToString(),
        ["VehicleApi:RetryCount"] = "2",
        ["VehicleApi:RetryBaseDelay"] = "00:00:00.010",
        ["VehicleApi:AttemptTimeout"] = "00:00:05",
        ["VehicleApi:TotalTimeout"] = "00:00:15",
        ["VehicleWorkflow:RetryMaxAttempts"] = "3",
        ["VehicleWorkflow:RetryFirstInterval"] = "00:00:00.200",
        ["VehicleWorkflow:RetryMaxInterval"] = "00:00:01",
        ["Secrets:" + SecretNames.VehicleApiClientId] = "local-dev-client",
        ["Secrets:" + SecretNames.VehicleApiClientSecret] = "local-dev-secret",
        ["Secrets:" + SecretNames.DataProtectionKey] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
    };

    public static async Task<VehicleWorkflowHost> StartAsync(IReadOnlyDictionary<string, string?>? overrides = null)
    {
        AzuriteServer azurite = await AzuriteServer.Shared;
        VehicleSimulatorServer simulator = await VehicleSimulatorServer.StartAsync(new VehicleSimulatorOptions());

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        Dictionary<string, string?> settings = BaseSettings(simulator.BaseAddress);
        foreach ((string key, string? value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Services.AddFakeLogging();
        builder.Services.AddSingleton<ISecretStore>(sp => new ConfigurationSecretStore(sp.GetRequiredService<IConfiguration>()));
        builder.Services.AddSingleton<ISensitiveDataProtector, TestSensitiveDataProtector>();
        builder.Services.AddSingleton<InMemoryPinAttemptLimiter>();
        builder.Services.AddSingleton<IPinAttemptLimiter>(sp => sp.GetRequiredService<InMemoryPinAttemptLimiter>());
        builder.Services.AddVehicleWorkflow(builder.Configuration);
        builder.Services.AddDurableTask(r => r.AddVehicleWorkflow()).Configure(o =>
        {
            o.HubName = "v" + Guid.NewGuid().ToString("N")[..20];
            o.Storage.ConnectionString = azurite.ConnectionString;
            o.MaxPollingInterval = TimeSpan.FromMilliseconds(100);
        });

        IHost host = builder.Build();
        await host.StartAsync();
        return new VehicleWorkflowHost(host, simulator, new HttpClient { BaseAddress = simulator.BaseAddress });
    }

    public Task<string> StartCommandAsync(string vin, string api, object? parameters = null)
    {
        JsonElement? json = parameters is null ? null : JsonSerializer.SerializeToElement(parameters);
        return Client.ScheduleNewOrchestrationInstanceAsync(VehicleCommandNames.Orchestrator, new VehicleCommandRequest(vin, api, json));
    }

    /// <summary>Polls the custom status until it matches; returns the matching status.</summary>
    public Task<VehicleCommandStatus> WaitForStatusAsync(string instanceId, Func<VehicleCommandStatus, bool> condition, string what)
        => Eventually.GetAsync(
            async () =>
            {
                OrchestrationMetadata? metadata = await Client.GetInstanceAsync(instanceId);
                if (metadata?.IsCompleted == true)
                {
                    throw new InvalidOperationException($"Instance {instanceId} finished ({metadata.RuntimeStatus}) while waiting for {what}: {metadata.SerializedOutput ?? metadata.FailureDetails?.ErrorMessage}");
                }

                VehicleCommandStatus? status = metadata?.ReadCustomStatusAs<VehicleCommandStatus>();
                return status is not null && condition(status) ? status : null;
            },
            what);

    /// <summary>Waits until the command asks for a PIN with <paramref name="attemptsLeft"/> attempts left.</summary>
    public Task<VehicleCommandStatus> WaitForPinRequestAsync(string instanceId, int attemptsLeft)
        => WaitForStatusAsync(
            instanceId,
            s => s.Stage == VehicleCommandStage.AwaitingPin && s.PinAttemptsLeft == attemptsLeft,
            $"a PIN request with {attemptsLeft} attempts left");

    /// <summary>Plays the host's part: seals the PIN, then raises the event with the sealed value only.</summary>
    public async Task SubmitPinAsync(string instanceId, string pin)
    {
        var protector = Services.GetRequiredService<ISensitiveDataProtector>();
        string sealedPin = await protector.SealAsync(pin, CancellationToken.None);
        await Client.RaiseEventAsync(instanceId, VehicleCommandNames.PinEvent, new PinSubmission(sealedPin));
    }

    public async Task<(OrchestrationMetadata Metadata, VehicleCommandResult Result)> WaitForResultAsync(string instanceId)
    {
        using var timeout = new CancellationTokenSource(Eventually.DefaultTimeout);
        OrchestrationMetadata metadata = await Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);
        Assert.True(
            metadata.RuntimeStatus == OrchestrationRuntimeStatus.Completed,
            $"Instance {instanceId} is {metadata.RuntimeStatus}: {metadata.FailureDetails?.ErrorType} {metadata.FailureDetails?.ErrorMessage}");
        return (metadata, metadata.ReadOutputAs<VehicleCommandResult>()!);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        _simulatorHttp.Dispose();
        await _simulator.DisposeAsync();
    }
}
