using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Workflow.Api.Durable;
using Workflow.Api.Protection;
using Workflow.Secrets;
using Workflow.Testing;
using Workflow.VehicleSimulator;
using Workflow.VehicleSimulator.Control;
using Workflow.Vehicles.Lockout;
using Workflow.Vehicles.Options;
using Workflow.Vehicles.Orchestration;

namespace Workflow.Vehicles.Tests.Infrastructure;

/// <summary>
/// The vehicle workflow as the product hosts run it, in miniature: the orchestrator and activities on the
/// Microsoft.DurableTask worker over <see cref="DurableTaskTestHost"/> (the in-memory backend behind an in-process
/// gRPC sidecar, with real replay), the product's payload converter, the vehicle API client pointed at an
/// in-process simulator on a free port, the real payload protector, and every log line captured.
/// </summary>
internal sealed class VehicleWorkflowHost : IAsyncDisposable
{
    /// <summary>The simulator's default PIN.</summary>
    public const string DefaultPin = "123456";

    /// <summary>Remote commands; they need strong authentication (on the simulator, by default).</summary>
    public const string CommandApi = "pims.vehicle.command";

    /// <summary>Reading the vehicle; no strong authentication (on the simulator, by default).</summary>
    public const string InformationsApi = "pims.vehicle.informations";

    /// <summary>The OTP API.</summary>
    public const string OtpApi = "pims.authentication.otp";

    /// <summary>Parameters of <see cref="CommandApi"/> that lock the doors.</summary>
    public static readonly object Lock = new { action = "doors", doorState = "lock" };

    /// <summary>Parameters of <see cref="CommandApi"/> that sound the horn.</summary>
    public static readonly object Horn = new { action = "horn" };

    /// <summary>Parameters of <see cref="InformationsApi"/>: the server copy.</summary>
    public static readonly object Read = new { actionType = "remote", action = "get" };

    private const int StartAttempts = 3;

    private readonly DurableTaskTestHost _durable;
    private readonly VehicleSimulatorServer _simulator;
    private readonly HttpClient _simulatorHttp;
    private readonly ILoggerFactory _loggerFactory;

    private VehicleWorkflowHost(DurableTaskTestHost durable, VehicleSimulatorServer simulator, HttpClient simulatorHttp, ILoggerFactory loggerFactory, FakeLogCollector logs)
    {
        _durable = durable;
        _simulator = simulator;
        _simulatorHttp = simulatorHttp;
        _loggerFactory = loggerFactory;
        Logs = logs;
        Simulator = new VehicleSimulatorControlClient(simulatorHttp);
    }

    public DurableTaskClient Client => _durable.Client;

    /// <summary>The worker host's services: what the activities are resolved from.</summary>
    public IServiceProvider Services => _durable.Services;

    public VehicleSimulatorControlClient Simulator { get; }

    /// <summary>Every log line of the worker (orchestrator, activities, vehicle API client) and of the in-memory backend.</summary>
    public FakeLogCollector Logs { get; }

    public InMemoryPinAttemptLimiter PinAttempts => Services.GetRequiredService<InMemoryPinAttemptLimiter>();

    /// <summary>The host's validated workflow options.</summary>
    public VehicleWorkflowOptions Options => Services.GetRequiredService<IOptions<VehicleWorkflowOptions>>().Value;

    /// <summary>The settings snapshot the product takes when it starts a command on this host.</summary>
    public VehicleCommandSettings Settings => VehicleCommandSettings.From(Options);

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
        VehicleSimulatorServer simulator = await VehicleSimulatorServer.StartAsync(new VehicleSimulatorOptions());
        Dictionary<string, string?> settings = BaseSettings(simulator.BaseAddress);
        foreach ((string key, string? value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

        // The test host hands this factory to the worker (replacing its own) and to the in-memory backend, so
        // one collector sees the orchestrator, the activities, the vehicle API client and the engine.
        var logs = new FakeLogCollector();
        ILoggerFactory loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(logs)));

        DurableTaskTestHost durable;
        try
        {
            durable = await StartDurableAsync(configuration, loggerFactory, logs);
        }
        catch
        {
            loggerFactory.Dispose();
            await simulator.DisposeAsync();
            throw;
        }

        return new VehicleWorkflowHost(durable, simulator, new HttpClient { BaseAddress = simulator.BaseAddress }, loggerFactory, logs);
    }

    private static async Task<DurableTaskTestHost> StartDurableAsync(IConfiguration configuration, ILoggerFactory loggerFactory, FakeLogCollector logs)
    {
        for (int attempt = 1; ; attempt++)
        {
            var options = new DurableTaskTestHostOptions
            {
                // A port free now; its default (random in 30000–40000) may be taken.
                Port = FreePort.Next(),
                LoggerFactory = loggerFactory,
                ConfigureServices = services =>
                {
                    services.AddSingleton<ISecretStore>(new ConfigurationSecretStore(configuration));
                    services.AddSingleton<ISensitiveDataProtector>(sp => new SensitiveDataProtector(new PayloadProtector(sp.GetRequiredService<ISecretStore>())));
                    services.AddSingleton<InMemoryPinAttemptLimiter>();
                    services.AddSingleton<IPinAttemptLimiter>(sp => sp.GetRequiredService<InMemoryPinAttemptLimiter>());
                    services.AddVehicleWorkflow(configuration);

                    // What both product hosts register (camelCase names, string enums in every payload), recording what it writes.
                    services.AddSingleton(sp => new PayloadEncryption(new PayloadProtector(sp.GetRequiredService<ISecretStore>())));
                    services.AddSingleton<RecordingDataConverter>();
                    services.AddSingleton<DataConverter>(sp => sp.GetRequiredService<RecordingDataConverter>());
                    services.AddSingleton(logs);

                    // Stopping waits for outstanding work: do not let a stuck call hold the test run.
                    services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
                },
            };

            try
            {
                return await DurableTaskTestHost.StartAsync(registry => registry.AddVehicleWorkflow(), options);
            }
            catch (IOException) when (attempt < StartAttempts)
            {
                // The port was taken between FreePort.Next and the sidecar's bind: take another.
            }
        }
    }

    /// <summary>Starts a command the way the product does: the request, the host's settings snapshot (unless the test gives other settings) and a new execution id.</summary>
    public Task<string> StartCommandAsync(string vin, string api, object? parameters = null, VehicleCommandSettings? settings = null, string? instanceId = null)
    {
        JsonElement? json = parameters is null ? null : JsonSerializer.SerializeToElement(parameters);
        var input = new VehicleCommandInput(new VehicleCommandRequest(vin, api, json), settings ?? Settings, Guid.NewGuid());
        return Client.ScheduleNewOrchestrationInstanceAsync(VehicleCommandNames.Orchestrator, input, new StartOrchestrationOptions(instanceId));
    }

    /// <summary>Polls the custom status until it matches; returns the matching status.</summary>
    public Task<VehicleCommandStatus> WaitForStatusAsync(string instanceId, Func<VehicleCommandStatus, bool> condition, string what)
        => Eventually.GetAsync(
            async () =>
            {
                OrchestrationMetadata? metadata = await Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true);
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

    /// <summary>
    /// Plays the PIN endpoint's part: takes the round the command awaits from its status, seals the PIN for this command
    /// and round, then raises the event with the sealed value only.
    /// </summary>
    public async Task SubmitPinAsync(string instanceId, string pin)
    {
        OrchestrationMetadata? metadata = await Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true);
        int round = metadata?.ReadCustomStatusAs<VehicleCommandStatus>()?.PinRound ?? 1;
        await SubmitPinAsync(instanceId, pin, round);
    }

    /// <summary>Seals and raises <paramref name="pin"/> for <paramref name="round"/>, whatever round the command is at.</summary>
    public async Task SubmitPinAsync(string instanceId, string pin, int round)
        => await Client.RaiseEventAsync(instanceId, VehicleCommandNames.PinEvent, new PinSubmission(await SealPinAsync(instanceId, round, pin), round));

    /// <summary>A PIN sealed as the PIN endpoint seals it.</summary>
    public async Task<string> SealPinAsync(string instanceId, int round, string pin)
        => await Services.GetRequiredService<ISensitiveDataProtector>().SealAsync(PinSeal.Compose(instanceId, round, pin), CancellationToken.None);

    /// <summary>Waits (with a deadline) until the instance has finished, whatever its runtime status.</summary>
    public async Task<OrchestrationMetadata> WaitForCompletionAsync(string instanceId)
    {
        using var timeout = new CancellationTokenSource(Eventually.DefaultTimeout);
        try
        {
            return await Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            OrchestrationMetadata? now = await Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true);
            throw new TimeoutException($"Instance {instanceId} did not finish within {Eventually.DefaultTimeout}: {now?.RuntimeStatus}, status {now?.SerializedCustomStatus}");
        }
    }

    /// <summary>Waits for the instance to complete successfully and returns its output.</summary>
    public async Task<(OrchestrationMetadata Metadata, VehicleCommandResult Result)> WaitForResultAsync(string instanceId)
    {
        OrchestrationMetadata metadata = await WaitForCompletionAsync(instanceId);
        Assert.True(
            metadata.RuntimeStatus == OrchestrationRuntimeStatus.Completed,
            $"Instance {instanceId} is {metadata.RuntimeStatus}: {metadata.FailureDetails?.ErrorType} {metadata.FailureDetails?.ErrorMessage}");
        return (metadata, metadata.ReadOutputAs<VehicleCommandResult>()!);
    }

    /// <summary>Every payload the worker and the client have written or read through the data converter (what history holds).</summary>
    public IReadOnlyList<string> Payloads => Services.GetRequiredService<RecordingDataConverter>().Payloads;

    /// <summary>A stored payload's JSON: what the engine keeps is encrypted.</summary>
    public string Decrypt(string? stored) => stored is null ? string.Empty : Services.GetRequiredService<PayloadEncryption>().Unprotect(stored);

    /// <summary>Every payload written, as its JSON before encryption.</summary>
    public IReadOnlyList<string> ClearPayloads => Services.GetRequiredService<RecordingDataConverter>().ClearPayloads;

    /// <summary>
    /// The captured log lines that contain every one of <paramref name="parts"/> (an instance id, a VIN, a phrase).
    /// The orchestrator logs through a replay-safe logger, so each of its lines stands for one step taken, whatever
    /// the number of replays.
    /// </summary>
    public IReadOnlyList<FakeLogRecord> LogLines(params string[] parts)
        => [.. Logs.GetSnapshot().Where(l => parts.All(p => l.Message.Contains(p, StringComparison.Ordinal)))];

    public async ValueTask DisposeAsync()
    {
        await _durable.DisposeAsync();
        _loggerFactory.Dispose();
        _simulatorHttp.Dispose();
        await _simulator.DisposeAsync();
    }
}
