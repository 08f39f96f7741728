using System.Globalization;

namespace Workflow.LocalHost.Tests.Support;

/// <summary>
/// The command-line settings of a local host under test: its own task hub on the given storage, the given vehicle API,
/// a random function key and data key, and quick queue polling. The same arguments serve <see cref="LocalHostApp.StartAsync"/>
/// in-process and <c>dotnet Workflow.LocalHost.dll</c> as a child process, so a restart with the same settings is the
/// same app on the same hub.
/// </summary>
internal sealed record LocalHostSettings
{
    public const string SimulatorClientId = "local-dev-client";
    public const string SimulatorClientSecret = "local-dev-secret";

    public required string StorageConnectionString { get; init; }

    public required Uri VehicleApi { get; init; }

    public required string HubName { get; init; }

    public required string FunctionKey { get; init; }

    public required string DataProtectionKey { get; init; }

    /// <summary>The API port on 127.0.0.1; 0 lets Kestrel choose (in-process, where the bound port can be read back).</summary>
    public int Port { get; init; }

    /// <summary>Further <c>--name=value</c> arguments (short <c>VehicleWorkflow:*</c> settings, logging).</summary>
    public IReadOnlyList<string> Extra { get; init; } = [];

    public Uri BaseAddress => new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Port}/"));

    public static LocalHostSettings New(string storageConnectionString, Uri vehicleApi, string hubPrefix, int port = 0, params IReadOnlyList<string> extra) => new()
    {
        StorageConnectionString = storageConnectionString,
        VehicleApi = vehicleApi,
        HubName = TestIds.Hub(hubPrefix),
        FunctionKey = TestIds.FunctionKey(),
        DataProtectionKey = TestIds.DataProtectionKey(),
        Port = port,
        Extra = extra,
    };

    public string[] ToArguments() =>
    [
        "--environment=Development",
        string.Create(CultureInfo.InvariantCulture, $"--urls=http://127.0.0.1:{Port}"),
        "--LocalStack:Enabled=false",
        "--LocalStack:PrintDemo=false",
        "--AzureWebJobsStorage=" + StorageConnectionString,
        "--VehicleApi:BaseUrl=" + VehicleApi.AbsoluteUri,
        "--AzureFunctionsJobHost:extensions:durableTask:hubName=" + HubName,
        "--AzureFunctionsJobHost:extensions:durableTask:storageProvider:maxQueuePollingInterval=00:00:01",
        "--Functions:DefaultKey=" + FunctionKey,
        "--Secrets:vehicle-api-client-id=" + SimulatorClientId,
        "--Secrets:vehicle-api-client-secret=" + SimulatorClientSecret,
        "--Secrets:data-protection-key=" + DataProtectionKey,
        .. Extra,
    ];
}
