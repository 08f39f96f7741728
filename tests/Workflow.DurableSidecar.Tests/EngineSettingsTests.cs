using DurableTask.AzureStorage;
using Microsoft.Extensions.Configuration;

namespace Workflow.DurableSidecar.Tests;

public sealed class EngineSettingsTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("sidecar-hostjson-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public void FromHostJson_reads_extensions_durableTask_and_its_storageProvider_whatever_the_key_case()
    {
        string path = Write("""
            {
              // comments and odd casing, as host.json allows
              "version": "2.0",
              "extensions": {
                "durableTask": {
                  "HubName": "VehicleCommandsProd",
                  "maxConcurrentActivityFunctions": 7,
                  "MaxConcurrentOrchestratorFunctions": 3,
                  "extendedSessionsEnabled": true,
                  "useAppLease": false,
                  "appLeaseOptions": { "renewInterval": "00:00:05", "acquireInterval": "00:00:20", "leaseInterval": "00:00:15" },
                  "storageProvider": {
                    "partitionCount": 8,
                    "controlQueueBatchSize": 16,
                    "controlQueueBufferThreshold": 64,
                    "ControlQueueVisibilityTimeout": "00:01:00",
                    "workItemQueueVisibilityTimeout": "00:00:45",
                    "maxQueuePollingInterval": "00:00:02",
                    "useTablePartitionManagement": false,
                    "useLegacyPartitionManagement": true,
                    "fetchLargeMessagesAutomatically": false,
                    "allowReplayingTerminalInstances": true,
                  }
                }
              }
            }
            """);

        DurableTaskEngineSettings settings = DurableTaskEngineSettings.FromHostJson(path);

        Assert.Equal("VehicleCommandsProd", settings.HubName);
        Assert.Equal(7, settings.MaxConcurrentActivityFunctions);
        Assert.Equal(3, settings.MaxConcurrentOrchestratorFunctions);
        Assert.True(settings.ExtendedSessionsEnabled);
        Assert.False(settings.UseAppLease);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.AppLeaseRenewInterval);
        Assert.Equal(TimeSpan.FromSeconds(20), settings.AppLeaseAcquireInterval);
        Assert.Equal(TimeSpan.FromSeconds(15), settings.AppLeaseInterval);
        Assert.Equal(8, settings.PartitionCount);
        Assert.Equal(16, settings.ControlQueueBatchSize);
        Assert.Equal(64, settings.ControlQueueBufferThreshold);
        Assert.Equal(TimeSpan.FromMinutes(1), settings.ControlQueueVisibilityTimeout);
        Assert.Equal(TimeSpan.FromSeconds(45), settings.WorkItemQueueVisibilityTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.MaxQueuePollingInterval);
        Assert.False(settings.UseTablePartitionManagement);
        Assert.True(settings.UseLegacyPartitionManagement);
        Assert.False(settings.FetchLargeMessagesAutomatically);
        Assert.True(settings.AllowReplayingTerminalInstances);
    }

    [Fact]
    public void FromHostJson_gives_the_Durable_extension_defaults_for_missing_keys()
    {
        string path = Write("""{ "version": "2.0", "extensions": { "http": { "routePrefix": "api" } } }""");

        DurableTaskEngineSettings settings = DurableTaskEngineSettings.FromHostJson(path);

        Assert.Equal(new DurableTaskEngineSettings(), settings);
        Assert.Null(settings.HubName);
        Assert.Equal(4, settings.PartitionCount);
        Assert.Equal(32, settings.ControlQueueBatchSize);
        Assert.Equal(256, settings.ControlQueueBufferThreshold);
        Assert.Equal(TimeSpan.FromMinutes(5), settings.ControlQueueVisibilityTimeout);
        Assert.Equal(TimeSpan.FromMinutes(5), settings.WorkItemQueueVisibilityTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.MaxQueuePollingInterval);
        Assert.Equal(10 * Environment.ProcessorCount, settings.MaxConcurrentActivityFunctions);
        Assert.Equal(10 * Environment.ProcessorCount, settings.MaxConcurrentOrchestratorFunctions);
        Assert.False(settings.ExtendedSessionsEnabled);
        Assert.True(settings.UseTablePartitionManagement);
        Assert.False(settings.UseLegacyPartitionManagement);
        Assert.True(settings.FetchLargeMessagesAutomatically);
        Assert.False(settings.AllowReplayingTerminalInstances);
        Assert.True(settings.UseAppLease);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.LeaseInterval);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.LeaseRenewInterval);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.LeaseAcquireInterval);
    }

    [Fact]
    public void A_hub_name_that_names_an_app_setting_is_resolved_from_the_environment()
    {
        string variable = "SIDECAR_TEST_HUB_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, "FromAppSetting");
        try
        {
            string path = Write($$"""{ "extensions": { "durableTask": { "hubName": "%{{variable}}%" } } }""");
            Assert.Equal("FromAppSetting", DurableTaskEngineSettings.FromHostJson(path).HubName);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void What_the_Functions_host_refuses_is_refused_here_too_with_the_key_named()
    {
        string path = Write("""{ "extensions": { "durableTask": { "storageProvider": { "controlQueueVisibilityTimeout": "00:00:30" } } } }""");

        InvalidOperationException refused = Assert.Throws<InvalidOperationException>(() => DurableTaskEngineSettings.FromHostJson(path));
        Assert.Contains("controlQueueVisibilityTimeout", refused.Message, StringComparison.Ordinal);

        string unparsable = Write("""{ "extensions": { "durableTask": { "storageProvider": { "maxQueuePollingInterval": "soon" } } } }""");
        FormatException bad = Assert.Throws<FormatException>(() => DurableTaskEngineSettings.FromHostJson(unparsable));
        Assert.Contains("maxQueuePollingInterval", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromConfiguration_reads_the_same_keys_from_the_Functions_host_environment_section()
    {
        IConfigurationRoot configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["AzureFunctionsJobHost:extensions:durableTask:hubName"] = "FromEnvironment",
                ["AzureFunctionsJobHost:extensions:durableTask:STORAGEPROVIDER:maxqueuepollinginterval"] = "00:00:03",
                ["AzureFunctionsJobHost:extensions:durableTask:storageProvider:workItemQueueVisibilityTimeout"] = "00:00:40",
            })
            .Build();

        DurableTaskEngineSettings settings = DurableTaskEngineSettings.FromConfiguration(configuration.GetSection("AzureFunctionsJobHost:extensions:durableTask"));

        Assert.Equal("FromEnvironment", settings.HubName);
        Assert.Equal(TimeSpan.FromSeconds(3), settings.MaxQueuePollingInterval);
        Assert.Equal(TimeSpan.FromSeconds(40), settings.WorkItemQueueVisibilityTimeout);
        Assert.Equal(TimeSpan.FromMinutes(5), settings.ControlQueueVisibilityTimeout);
    }

    [Fact]
    public void The_settings_land_on_the_engine_settings_and_extended_sessions_stay_off()
    {
        var settings = new DurableTaskEngineSettings
        {
            PartitionCount = 3,
            ControlQueueBatchSize = 8,
            ControlQueueBufferThreshold = 40,
            ControlQueueVisibilityTimeout = TimeSpan.FromSeconds(20),
            WorkItemQueueVisibilityTimeout = TimeSpan.FromSeconds(25),
            MaxQueuePollingInterval = TimeSpan.FromSeconds(1),
            MaxConcurrentActivityFunctions = 5,
            MaxConcurrentOrchestratorFunctions = 6,
            ExtendedSessionsEnabled = true,
            UseTablePartitionManagement = false,
            UseLegacyPartitionManagement = true,
            FetchLargeMessagesAutomatically = false,
            AllowReplayingTerminalInstances = true,
            UseAppLease = false,
            AppLeaseRenewInterval = TimeSpan.FromSeconds(2),
            AppLeaseAcquireInterval = TimeSpan.FromSeconds(3),
            AppLeaseInterval = TimeSpan.FromSeconds(4),
            LeaseInterval = TimeSpan.FromSeconds(12),
            LeaseRenewInterval = TimeSpan.FromSeconds(4),
            LeaseAcquireInterval = TimeSpan.FromSeconds(3),
        };
        var engine = new AzureStorageOrchestrationServiceSettings();

        settings.ApplyTo(engine);

        Assert.Equal(3, engine.PartitionCount);
        Assert.Equal(8, engine.ControlQueueBatchSize);
        Assert.Equal(40, engine.ControlQueueBufferThreshold);
        Assert.Equal(TimeSpan.FromSeconds(20), engine.ControlQueueVisibilityTimeout);
        Assert.Equal(TimeSpan.FromSeconds(25), engine.WorkItemQueueVisibilityTimeout);
        Assert.Equal(TimeSpan.FromSeconds(1), engine.MaxQueuePollingInterval);
        Assert.Equal(5, engine.MaxConcurrentTaskActivityWorkItems);
        Assert.Equal(6, engine.MaxConcurrentTaskOrchestrationWorkItems);
        Assert.False(engine.ExtendedSessionsEnabled);
        Assert.False(engine.UseTablePartitionManagement);
        Assert.True(engine.UseLegacyPartitionManagement);
        Assert.False(engine.FetchLargeMessageDataEnabled);
        Assert.True(engine.AllowReplayingTerminalInstances);
        Assert.False(engine.UseAppLease);
        Assert.Equal(TimeSpan.FromSeconds(2), engine.AppLeaseOptions.RenewInterval);
        Assert.Equal(TimeSpan.FromSeconds(3), engine.AppLeaseOptions.AcquireInterval);
        Assert.Equal(TimeSpan.FromSeconds(4), engine.AppLeaseOptions.LeaseInterval);
        Assert.Equal(TimeSpan.FromSeconds(12), engine.LeaseInterval);
        Assert.Equal(TimeSpan.FromSeconds(4), engine.LeaseRenewInterval);
        Assert.Equal(TimeSpan.FromSeconds(3), engine.LeaseAcquireInterval);
    }

    [Fact]
    public void Values_under_a_minute_are_accepted_in_code_but_not_values_the_engine_cannot_run_with()
    {
        new DurableTaskEngineSettings { ControlQueueVisibilityTimeout = TimeSpan.FromSeconds(10) }.ValidateForEngine();

        Assert.Throws<ArgumentOutOfRangeException>(() => new DurableTaskEngineSettings { WorkItemQueueVisibilityTimeout = TimeSpan.Zero }.ValidateForEngine());
        Assert.Throws<ArgumentOutOfRangeException>(() => new DurableTaskEngineSettings { LeaseAcquireInterval = TimeSpan.FromSeconds(30) }.ValidateForEngine());
    }

    private string Write(string json)
    {
        string path = Path.Combine(_folder.FullName, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, json);
        return path;
    }
}
