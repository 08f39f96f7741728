using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Workflow.DurableSidecar;

namespace Workflow.Benchmarks;

/// <summary>
/// A configuration under test: engine settings as host.json's <c>extensions.durableTask</c> gives them, read with the
/// product's own reader (<see cref="DurableTaskEngineSettings.FromHostJson"/>, host.json plus the Functions host's
/// overrides, as the local host reads them), so that every configuration is validated as the Functions host validates it.
/// </summary>
internal sealed record EngineConfig(string Name, DurableTaskEngineSettings Settings, string Source)
{
    public const string DefaultsName = "df-defaults";
    public const string ProductName = "product";
    private const string DurableTaskPath = "extensions:durableTask";
    private const string OverridePrefix = DurableTaskEngineSettings.FunctionsHostOverridesPath + ":";

    /// <summary>The <c>durableTask</c> keys a <c>--config</c> variant sets on top of host.json (<c>storageProvider:partitionCount</c>).</summary>
    public IReadOnlyDictionary<string, string?> DurableTaskOverrides { get; init; } = new Dictionary<string, string?>();

    /// <summary>The Durable extension's defaults: a host.json without a <c>durableTask</c> section.</summary>
    public static EngineConfig Defaults() =>
        new(DefaultsName, DurableTaskEngineSettings.FromConfiguration(new ConfigurationBuilder().Build().GetSection(DurableTaskPath)), "no durableTask section (the Durable extension's defaults)");

    /// <summary>The settings the product ships, read the way the local host reads them.</summary>
    public static EngineConfig Product(string hostJson) => new(ProductName, DurableTaskEngineSettings.FromHostJson(hostJson), hostJson);

    /// <summary>
    /// The product's host.json with overrides, as <c>AzureFunctionsJobHost__extensions__durableTask__…</c> would give
    /// them: <paramref name="spec"/> is <c>name:key=value,key=value</c> with keys relative to <c>durableTask</c>
    /// (<c>storageProvider.partitionCount=1</c>).
    /// </summary>
    public static EngineConfig Variant(string hostJson, string spec)
    {
        int colon = spec.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw new FormatException($"--config '{spec}': expected name:key=value[,key=value...], e.g. p1:storageProvider.partitionCount=1");
        }

        string name = spec[..colon];
        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (string pair in spec[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] kv = pair.Split('=', 2);
            if (kv.Length != 2)
            {
                throw new FormatException($"--config '{spec}': '{pair}' is not key=value.");
            }

            overrides[kv[0].Replace('.', ':').Replace("__", ":", StringComparison.Ordinal)] = kv[1];
        }

        IConfigurationRoot environment = new ConfigurationBuilder()
            .AddInMemoryCollection(overrides.Select(o => new KeyValuePair<string, string?>(OverridePrefix + o.Key, o.Value)))
            .Build();
        return new EngineConfig(name, DurableTaskEngineSettings.FromHostJson(hostJson, environment), "host.json + " + spec[(colon + 1)..])
        {
            DurableTaskOverrides = overrides,
        };
    }

    /// <summary>
    /// Every host.json key the local host reads, set to these settings: given as <c>AzureFunctionsJobHost:…</c>
    /// overrides, they make <c>LocalHostApp</c> run exactly these settings whatever its host.json says.
    /// </summary>
    public Dictionary<string, string?> LocalHostOverrides(string hubName)
    {
        DurableTaskEngineSettings s = Settings;
        var keys = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["hubName"] = hubName,
            ["maxConcurrentActivityFunctions"] = Text(s.MaxConcurrentActivityFunctions),
            ["maxConcurrentOrchestratorFunctions"] = Text(s.MaxConcurrentOrchestratorFunctions),
            ["extendedSessionsEnabled"] = Text(s.ExtendedSessionsEnabled),
            ["useAppLease"] = Text(s.UseAppLease),
            ["appLeaseOptions:renewInterval"] = Text(s.AppLeaseRenewInterval),
            ["appLeaseOptions:acquireInterval"] = Text(s.AppLeaseAcquireInterval),
            ["appLeaseOptions:leaseInterval"] = Text(s.AppLeaseInterval),
            ["storageProvider:partitionCount"] = Text(s.PartitionCount),
            ["storageProvider:controlQueueBatchSize"] = Text(s.ControlQueueBatchSize),
            ["storageProvider:controlQueueBufferThreshold"] = Text(s.ControlQueueBufferThreshold),
            ["storageProvider:controlQueueVisibilityTimeout"] = Text(s.ControlQueueVisibilityTimeout),
            ["storageProvider:workItemQueueVisibilityTimeout"] = Text(s.WorkItemQueueVisibilityTimeout),
            ["storageProvider:maxQueuePollingInterval"] = Text(s.MaxQueuePollingInterval),
            ["storageProvider:useTablePartitionManagement"] = Text(s.UseTablePartitionManagement),
            ["storageProvider:useLegacyPartitionManagement"] = Text(s.UseLegacyPartitionManagement),
            ["storageProvider:fetchLargeMessagesAutomatically"] = Text(s.FetchLargeMessagesAutomatically),
            ["storageProvider:allowReplayingTerminalInstances"] = Text(s.AllowReplayingTerminalInstances),
        };
        return keys.ToDictionary(k => OverridePrefix + k.Key, k => k.Value, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Checks that <see cref="LocalHostOverrides"/> on top of <paramref name="hostJson"/> reads back as these settings:
    /// fails loudly when the reader learns a key this class does not set.
    /// </summary>
    public void CheckLocalHostOverrides(string hostJson)
    {
        const string Hub = "CheckHub";
        IConfigurationRoot environment = new ConfigurationBuilder().AddInMemoryCollection(LocalHostOverrides(Hub)).Build();
        DurableTaskEngineSettings read = DurableTaskEngineSettings.FromHostJson(hostJson, environment);
        if (read != Settings with { HubName = Hub })
        {
            throw new InvalidOperationException($"The overrides of configuration {Name} do not read back as its settings:\n  wanted {Settings with { HubName = Hub }}\n  read   {read}");
        }
    }

    /// <summary>
    /// The host.json a Functions host runs this configuration with, from the shipped one's text: df-defaults without
    /// <c>extensions.durableTask</c> (everything else kept), any other the shipped file itself (a variant's overrides go
    /// into the environment, <see cref="FunctionsHostEnvironment"/>).
    /// </summary>
    public string FunctionsHostJson(string shippedHostJson)
    {
        if (Name != DefaultsName)
        {
            return shippedHostJson;
        }

        JsonNode root = JsonNode.Parse(shippedHostJson, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })
            ?? throw new InvalidOperationException("host.json is empty.");
        if (root["extensions"] is JsonObject extensions)
        {
            extensions.Remove("durableTask");
        }

        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>
    /// The app settings a Functions host runs this configuration with: its own task hub, and a variant's overrides, as
    /// a deployment would set them (<c>AzureFunctionsJobHost__extensions__durableTask__…</c>).
    /// </summary>
    public Dictionary<string, string> FunctionsHostEnvironment(string hubName)
    {
        const string Prefix = "AzureFunctionsJobHost__extensions__durableTask__";
        var settings = new Dictionary<string, string>(StringComparer.Ordinal) { [Prefix + "hubName"] = hubName };
        foreach ((string key, string? value) in DurableTaskOverrides)
        {
            settings[Prefix + key.Replace(":", "__", StringComparison.Ordinal)] = value ?? string.Empty;
        }

        return settings;
    }

    /// <summary>The settings that differ from the Durable extension's defaults, as host.json keys.</summary>
    public string Describe()
    {
        Dictionary<string, string?> mine = LocalHostOverrides("x");
        Dictionary<string, string?> defaults = Defaults().LocalHostOverrides("x");
        string[] changed = [.. mine
            .Where(k => !k.Key.EndsWith(":hubName", StringComparison.OrdinalIgnoreCase) && defaults[k.Key] != k.Value)
            .Select(k => k.Key[OverridePrefix.Length..].Replace(':', '.') + "=" + k.Value)];
        return changed.Length == 0 ? "(the defaults)" : string.Join(", ", changed);
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(bool value) => value ? "true" : "false";

    private static string Text(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);
}
