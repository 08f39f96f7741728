using System.Globalization;
using System.Security.Cryptography;
using Workflow.Testing;
using Workflow.VehicleSimulator;
using Workflow.VehicleSimulator.Control;

namespace Workflow.Functions.Tests.Support;

/// <summary>
/// The app as Azure runs it, locally: its publish output (<see cref="FunctionAppPublish"/>, once per run) under the
/// Functions host (<see cref="FunctionsHostLauncher"/>), on a real Azurite (<see cref="AzuriteServer.Shared"/>) with a task
/// hub of this fixture's own, calling an in-process vehicle simulator on a free loopback port. Keys are random per fixture
/// and known to the tests. Settings are short so that retries and PIN deadlines take seconds.
/// </summary>
public class FunctionsHostFixture : IAsyncLifetime, IDisposable
{
    private static readonly string Alphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private readonly Dictionary<string, string> _environment = [];
    private readonly string _directory = Path.Combine(FunctionAppPublish.RunDirectory, "host-" + Guid.NewGuid().ToString("N")[..12]);
    private VehicleSimulatorServer? _simulator;
    private FunctionsHost? _host;
    private HttpClient? _simulatorHttp;

    /// <summary>How long a command waits for each PIN.</summary>
    public virtual TimeSpan PinTimeout => TimeSpan.FromSeconds(15);

    /// <summary>Durable attempts of an activity that failed transiently (<c>VehicleWorkflow:RetryMaxAttempts</c>).</summary>
    public const int RetryMaxAttempts = 2;

    /// <summary>Quick retries of the vehicle API client (<c>VehicleApi:RetryCount</c>): each activity attempt sends 1 + this many requests.</summary>
    public const int HttpRetryCount = 1;

    /// <summary>The task hub of this fixture (every host it starts shares it).</summary>
    public string HubName { get; } = "FnTest" + RandomNumberGenerator.GetHexString(16, lowercase: true);

    /// <summary>The master key.</summary>
    public string MasterKey { get; } = NewKey();

    /// <summary>The function key <c>default</c>.</summary>
    public string FunctionKey { get; } = NewKey();

    /// <summary>The system key <c>durabletask_extension</c> of the Durable webhooks.</summary>
    public string DurableSystemKey { get; } = NewKey();

    /// <summary>The gateway's client secret the app gets (<c>Secrets:vehicle-api-client-secret</c>), random per fixture.</summary>
    public string GatewayClientSecret { get; } = "gateway-secret-" + RandomNumberGenerator.GetHexString(24, lowercase: true);

    /// <summary>The data-protection key the app gets (<c>Secrets:data-protection-key</c>, base64), random per fixture.</summary>
    public string DataKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The publish output the hosts run.</summary>
    public string ScriptRoot { get; private set; } = string.Empty;

    /// <summary>The running host.</summary>
    internal FunctionsHost Host => _host ?? throw new InvalidOperationException("The host is not running.");

    /// <summary>The vehicle simulator.</summary>
    public VehicleSimulatorServer Simulator => _simulator ?? throw new InvalidOperationException("Not started.");

    /// <summary>The simulator's controls and request log.</summary>
    public VehicleSimulatorControlClient SimulatorControl { get; private set; } = null!;

    /// <summary>The PIN the simulator accepts for every vehicle.</summary>
    public string RightPin => Simulator.Options.DefaultPin;

    /// <summary>The host's base address, <c>http://127.0.0.1:port/</c>.</summary>
    public Uri BaseAddress => Host.BaseAddress;

    /// <summary>The product API through the host with the function key (in the <c>x-functions-key</c> header).</summary>
    internal CommandsClient Commands => new(CreateClient(FunctionKey), () => Host.Output);

    /// <summary>An HTTP client for the current host; <paramref name="key"/> goes into <c>x-functions-key</c> when given.</summary>
    public HttpClient CreateClient(string? key = null)
    {
        var http = new HttpClient { BaseAddress = Host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (key is not null)
        {
            http.DefaultRequestHeaders.Add("x-functions-key", key);
        }

        return http;
    }

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        Task<string> publish = FunctionAppPublish.GetAsync();
        Task<string> storage = StartStorageAsync();
        _simulator = await VehicleSimulatorServer.StartAsync(new VehicleSimulatorOptions { ClientSecret = GatewayClientSecret }).ConfigureAwait(false);
        _simulatorHttp = new HttpClient { BaseAddress = _simulator.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        SimulatorControl = new VehicleSimulatorControlClient(_simulatorHttp);
        ScriptRoot = await publish.ConfigureAwait(false);
        string storageConnectionString = await storage.ConfigureAwait(false);

        VehicleSimulatorOptions simulator = _simulator.Options;
        Set("AzureWebJobsStorage", storageConnectionString);
        Set("FUNCTIONS_MASTER_KEY", MasterKey);
        Set("FUNCTIONS_DEFAULT_KEY", FunctionKey);
        Set("FUNCTIONS_DURABLE_SYSTEM_KEY", DurableSystemKey);
        Set("AZURE_FUNCTIONS_ENVIRONMENT", "Development");
        Set("AzureFunctionsJobHost__extensions__durableTask__hubName", HubName);
        Set("AzureFunctionsJobHost__extensions__durableTask__storageProvider__maxQueuePollingInterval", "00:00:01");

        // The storage SDK logs every request at Information and every 409 of "create if not exists" at Warning.
        Set("AzureFunctionsJobHost__logging__logLevel__Azure.Core", "Error");
        Set("Logging__LogLevel__Azure.Core", "Error");

        // The app in Development reads its secrets from configuration (Secrets:<Key Vault name>).
        Set("VehicleApi__BaseUrl", _simulator.BaseAddress.AbsoluteUri);
        Set("Secrets__vehicle-api-client-id", simulator.ClientId);
        Set("Secrets__vehicle-api-client-secret", simulator.ClientSecret);
        Set("Secrets__data-protection-key", DataKey);

        Set("VehicleWorkflow__PinTimeout", PinTimeout.ToString("c", CultureInfo.InvariantCulture));
        Set("VehicleWorkflow__RetryMaxAttempts", RetryMaxAttempts.ToString(CultureInfo.InvariantCulture));
        Set("VehicleWorkflow__RetryFirstInterval", "00:00:01");
        Set("VehicleWorkflow__RetryMaxInterval", "00:00:02");
        Set("VehicleWorkflow__RetryTimeout", "00:02:00");
        Set("VehicleApi__RetryCount", HttpRetryCount.ToString(CultureInfo.InvariantCulture));
        Set("VehicleApi__RetryBaseDelay", "00:00:00.050");
        AddHostSettings(_environment);

        await StartHostAsync().ConfigureAwait(false);
    }

    /// <summary>The folder of this fixture's hosts (their TMPDIR, keys and logs).</summary>
    internal string HostDirectory => _directory;

    /// <summary>
    /// Starts the storage the hosts use and returns its connection string (<c>AzureWebJobsStorage</c>): the shared Azurite,
    /// unless a derived fixture brings storage of its own.
    /// </summary>
    protected virtual async Task<string> StartStorageAsync() => (await AzuriteServer.Shared.ConfigureAwait(false)).ConnectionString;

    /// <summary>More app settings for the hosts, added after (and so overriding) the fixture's own.</summary>
    /// <param name="settings">The hosts' environment.</param>
    protected virtual void AddHostSettings(IDictionary<string, string> settings)
    {
    }

    /// <summary>Starts a new host on the same task hub, storage, keys and settings (after the previous one was stopped or killed).</summary>
    internal async Task<FunctionsHost> StartHostAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync().ConfigureAwait(false);
        }

        FunctionsHostLauncher launcher = FunctionsHostLauncher.Find(Environment.GetEnvironmentVariable("PATH"), RepositoryPaths.Root);
        _host = null;
        _host = await FunctionsHost.StartAsync(launcher, ScriptRoot, _environment, MasterKey, _directory).ConfigureAwait(false);
        return _host;
    }

    /// <inheritdoc/>
    public virtual async Task DisposeAsync()
    {
        // The host first: it needs storage to stop cleanly.
        if (_host is not null)
        {
            await _host.DisposeAsync().ConfigureAwait(false);
        }

        if (_simulator is not null)
        {
            await _simulator.DisposeAsync().ConfigureAwait(false);
        }

    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _simulatorHttp?.Dispose();
        GC.SuppressFinalize(this);
    }

    private void Set(string name, string value) => _environment[name] = value;

    private static string NewKey() => RandomNumberGenerator.GetString(Alphanumerics, 40);
}

/// <summary>The host shared by the tests of this collection, which run one after the other (the simulator's faults are global).</summary>
[CollectionDefinition(Name)]
public sealed class SharedFunctionsHost : ICollectionFixture<FunctionsHostFixture>
{
    public const string Name = "Functions host";
}
