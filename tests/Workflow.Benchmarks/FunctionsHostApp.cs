using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Workflow.Api.Durable;
using Workflow.Azurite;
using Workflow.Functions.Tests.Support;
using Workflow.Secrets;
using Workflow.VehicleSimulator;

namespace Workflow.Benchmarks;

/// <summary>
/// One configuration under the real Functions host: a copy of the app's publish output with this configuration's
/// host.json, a <see cref="CountingStorageProxy"/> of its own in front of Azurite (the host's and its worker's
/// <c>AzureWebJobsStorage</c>), its own task hub and keys, and the host (<c>func</c> or ../shared/functions-host, as
/// <see cref="FunctionsHostLauncher"/> finds it) in a process group of its own with the app's worker.
/// </summary>
internal sealed class FunctionsHostApp : IAsyncDisposable
{
    private const string Alphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    // Hosts still running when the process exits some other way (an unhandled exception): their groups get SIGKILL.
    private static readonly ConcurrentDictionary<int, byte> s_running = new();
    private static int s_exitHook;

    private readonly FunctionsHost _host;
    private readonly string _directory;
    private int _disposed;

    private FunctionsHostApp(EngineConfig config, string hubName, CountingStorageProxy proxy, FunctionsHost host, string functionKey, string dataKey, string directory)
    {
        Config = config;
        HubName = hubName;
        Proxy = proxy;
        _host = host;
        _directory = directory;
        Http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        Http.DefaultRequestHeaders.Add("x-functions-key", functionKey);

        // The app seals every payload (custom status and output included) with this data key: the benchmark reads
        // them back from the Instances table with the product's own converter, as its status endpoint would.
        IConfiguration secrets = new ConfigurationBuilder()
            .AddInMemoryCollection([new KeyValuePair<string, string?>($"{ConfigurationSecretStore.SectionName}:{SecretNames.DataProtectionKey}", dataKey)])
            .Build();
        Converter = new CommandPayloadConverter(new PayloadEncryption(new PayloadProtector(new ConfigurationSecretStore(secrets))));
    }

    public EngineConfig Config { get; }

    public string HubName { get; }

    /// <summary>Every storage request of this host and its worker goes through it.</summary>
    public CountingStorageProxy Proxy { get; }

    /// <summary>The product API through the host, with the function key.</summary>
    public HttpClient Http { get; }

    public CommandPayloadConverter Converter { get; }

    public string Launcher => _host.Launcher;

    public int ProcessId => _host.ProcessId;

    public Uri BaseAddress => _host.BaseAddress;

    /// <summary>The host's log level: Warning, or <c>BENCH_HOST_LOG_LEVEL</c> (Information shows every function run).</summary>
    public static string HostLogLevel { get; } = Environment.GetEnvironmentVariable("BENCH_HOST_LOG_LEVEL") is { Length: > 0 } level ? level : "Warning";

    /// <summary>
    /// Copies <paramref name="publish"/> with this configuration's host.json, starts its proxy and its host, and waits
    /// until the host says Running.
    /// </summary>
    public static async Task<FunctionsHostApp> StartAsync(
        EngineConfig config,
        string hubName,
        string publish,
        FunctionsHostLauncher launcher,
        AzuritePorts azurite,
        string azuriteConnectionString,
        VehicleSimulatorServer simulator,
        string runDirectory,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(launcher);
        ArgumentNullException.ThrowIfNull(simulator);
        string directory = Path.Combine(runDirectory, $"{config.Name}-{hubName}");
        string scriptRoot = Path.Combine(directory, "app");
        CopyDirectory(publish, scriptRoot);
        string shipped = await File.ReadAllTextAsync(Path.Combine(publish, "host.json"), cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(scriptRoot, "host.json"), config.FunctionsHostJson(shipped), cancellationToken).ConfigureAwait(false);

        string masterKey = NewKey();
        string functionKey = NewKey();
        string dataKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        CountingStorageProxy proxy = CountingStorageProxy.Start(azurite, azuriteConnectionString);
        proxy.Counts.RegisterHub(hubName);
        var environment = new Dictionary<string, string>(config.FunctionsHostEnvironment(hubName), StringComparer.Ordinal)
        {
            ["AzureWebJobsStorage"] = proxy.ConnectionString,
            ["FUNCTIONS_MASTER_KEY"] = masterKey,
            ["FUNCTIONS_DEFAULT_KEY"] = functionKey,
            ["FUNCTIONS_DURABLE_SYSTEM_KEY"] = NewKey(),
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development",

            // Console logs only (the shared host has no Application Insights): Warning for host and worker alike, so
            // that no configuration pays for a line per function run; the storage SDK's per-request logs off.
            ["AzureFunctionsJobHost__logging__logLevel__default"] = HostLogLevel,
            ["AzureFunctionsJobHost__logging__logLevel__Host.Triggers.DurableTask"] = HostLogLevel,
            ["AzureFunctionsJobHost__logging__logLevel__Azure.Core"] = "Error",
            ["Logging__LogLevel__Default"] = HostLogLevel,
            ["Logging__LogLevel__Azure.Core"] = "Error",

            // The app in Development reads its secrets from configuration (Secrets:<Key Vault name>).
            ["VehicleApi__BaseUrl"] = simulator.BaseAddress.AbsoluteUri,
            ["Secrets__vehicle-api-client-id"] = simulator.Options.ClientId,
            ["Secrets__vehicle-api-client-secret"] = simulator.Options.ClientSecret,
            ["Secrets__data-protection-key"] = dataKey,
        };

        EnsureExitHook();
        FunctionsHost host;
        try
        {
            // Not cancellable: a start ends within the launcher's ready timeout (2 minutes), then the caller stops it.
            host = await FunctionsHost.StartAsync(launcher, scriptRoot, environment, masterKey, Path.Combine(directory, "host")).ConfigureAwait(false);
        }
        catch
        {
            await proxy.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        s_running[host.ProcessId] = 0;
        return new FunctionsHostApp(config, hubName, proxy, host, functionKey, dataKey, directory);
    }

    /// <summary>CPU time used so far by the host and the app's worker (its process group).</summary>
    public TimeSpan GroupCpu()
    {
        TimeSpan total = TimeSpan.Zero;
        foreach (int pid in _host.GroupProcessIds())
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                total += process.TotalProcessorTime;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                // Gone meanwhile.
            }
        }

        return total;
    }

    /// <summary>The host's last output lines, for a failure.</summary>
    public string OutputTail(int chars = 4000)
    {
        string output = _host.Output;
        return output.Length <= chars ? output : output[^chars..];
    }

    /// <summary>Stops the host and its worker (SIGTERM to the group, SIGKILL after 15 s), then the proxy; deletes the copy.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await _host.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            s_running.TryRemove(_host.ProcessId, out _);
            Http.Dispose();
            await Proxy.DisposeAsync().ConfigureAwait(false);
            TryDelete(_directory);
        }
    }

    private static void EnsureExitHook()
    {
        if (Interlocked.Exchange(ref s_exitHook, 1) == 0)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                foreach (int pid in s_running.Keys)
                {
                    ProcessGroup.Signal(pid, "KILL");
                }
            };
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string directory in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, directory)));
        }

        foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)), overwrite: true);
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A temporary folder; the run folder goes at exit anyway.
        }
    }

    private static string NewKey() => RandomNumberGenerator.GetString(Alphanumerics, 40);
}
