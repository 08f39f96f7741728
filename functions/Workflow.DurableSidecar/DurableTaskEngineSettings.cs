using System.Globalization;
using DurableTask.AzureStorage;
using DurableTask.AzureStorage.Partitioning;
using Microsoft.Extensions.Configuration;

namespace Workflow.DurableSidecar;

/// <summary>
/// The Durable extension's host.json settings (<c>extensions.durableTask</c> and its <c>storageProvider</c>) that map
/// onto the engine's <see cref="AzureStorageOrchestrationServiceSettings"/>, with the Durable extension's own defaults
/// (not DTFx's), so that a local host applies what host.json says the Functions host applies in Azure. A few engine
/// settings that host.json cannot set are here too, with the values the Functions host leaves them at.
/// </summary>
/// <remarks>
/// <para>
/// Recovery after a crash (kill -9, a lost VM) is governed by three things. (1) Queue messages the dead process had
/// dequeued, including control-queue messages it had only prefetched, stay invisible for
/// <see cref="ControlQueueVisibilityTimeout"/> / <see cref="WorkItemQueueVisibilityTimeout"/> from the moment they
/// were dequeued; no other process can see them before. (2) The dead process's control-queue partitions: a process
/// with the same worker id takes them back on its first lease pass; any other process waits until the lease expires (<see cref="LeaseInterval"/> after the last renewal) and claims it on its next pass
/// (every <see cref="LeaseAcquireInterval"/>). (3) Idle pollers back off up to <see cref="MaxQueuePollingInterval"/>.
/// Resuming within a minute therefore needs visibility timeouts well under a minute plus a short polling interval.
/// Measured through the sidecar on Azurite, kill -9 in an activity or in an orchestrator episode, restart at once:
/// visibility 15 s → done after about 15–19 s under the same worker id, about 30 s under another (lease expiry);
/// 45 s → about 46 s; 60 s → about 60–61 s.
/// </para>
/// <para>
/// For the product: <c>workItemQueueVisibilityTimeout</c> 00:00:45 (activities must finish well inside it through the
/// sidecar), <c>controlQueueVisibilityTimeout</c> 00:01:00 (the least the Functions host accepts; a local host may
/// pass less in code), <c>maxQueuePollingInterval</c> a few seconds, table partition management, and a stable worker
/// id per process.
/// </para>
/// <para>
/// Instances of this type are immutable; derive variants with <c>with</c> expressions.
/// </para>
/// </remarks>
public sealed record DurableTaskEngineSettings
{
    /// <summary>
    /// The section of a host's configuration that overrides host.json's <c>extensions.durableTask</c>, as the Functions
    /// host takes it from its environment (<c>AzureFunctionsJobHost__extensions__durableTask__…</c>).
    /// </summary>
    public const string FunctionsHostOverridesPath = "AzureFunctionsJobHost:" + DurableTaskPath;

    private const string DurableTaskPath = "extensions:durableTask";
    private const string StorageProviderKey = "storageProvider";
    private const string AppLeaseOptionsKey = "appLeaseOptions";

    /// <summary>
    /// Gets the task hub name (<c>hubName</c>), or <see langword="null"/> when host.json does not set it.
    /// A <c>%NAME%</c> value is resolved from the environment, like the Functions host resolves it from app settings.
    /// </summary>
    public string? HubName { get; init; }

    /// <summary>
    /// Gets the number of control-queue partitions (<c>storageProvider.partitionCount</c>, 1–16, default 4) →
    /// <see cref="AzureStorageOrchestrationServiceSettings.PartitionCount"/>. Fixed when a task hub is created: an
    /// existing hub keeps the count it was created with.
    /// </summary>
    public int PartitionCount { get; init; } = 4;

    /// <summary>
    /// Gets how many control-queue messages one dequeue takes (<c>storageProvider.controlQueueBatchSize</c>,
    /// default 32) → <see cref="AzureStorageOrchestrationServiceSettings.ControlQueueBatchSize"/>.
    /// </summary>
    public int ControlQueueBatchSize { get; init; } = 32;

    /// <summary>
    /// Gets how many dequeued control-queue messages may wait in memory before the engine stops dequeuing
    /// (<c>storageProvider.controlQueueBufferThreshold</c>, 1–1000, default 256 outside the Consumption plan) →
    /// <see cref="AzureStorageOrchestrationServiceSettings.ControlQueueBufferThreshold"/>. Buffered messages are
    /// already invisible in storage: after a crash they come back only when their visibility timeout ends.
    /// </summary>
    public int ControlQueueBufferThreshold { get; init; } = 256;

    /// <summary>
    /// Gets how long a dequeued control-queue message (orchestration start, event, timer, activity result) stays
    /// invisible to other processes (<c>storageProvider.controlQueueVisibilityTimeout</c>, default 5 minutes) →
    /// <see cref="AzureStorageOrchestrationServiceSettings.ControlQueueVisibilityTimeout"/>. This is the longest an
    /// orchestration step that was in flight in a crashed process waits before another process can run it. It must
    /// also exceed the time a message can wait in memory (buffered behind others, <see cref="ControlQueueBufferThreshold"/>)
    /// plus one orchestrator episode, or the message is delivered twice. The Functions host refuses values outside
    /// 1–60 minutes; DTFx itself takes any positive value (Azure Queues count in whole seconds).
    /// </summary>
    public TimeSpan ControlQueueVisibilityTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Gets how long a dequeued work-item (activity) message stays invisible to other processes
    /// (<c>storageProvider.workItemQueueVisibilityTimeout</c>, default 5 minutes) →
    /// <see cref="AzureStorageOrchestrationServiceSettings.WorkItemQueueVisibilityTimeout"/>. This is the longest an
    /// activity that was running in a crashed process waits before it runs again elsewhere. Under the Functions host
    /// the engine renews the message while the activity runs; through the sidecar nothing renews it, so an activity
    /// that runs longer than this timeout is delivered a second time while the first run goes on: keep activities
    /// (and their HTTP timeouts) well inside it.
    /// </summary>
    public TimeSpan WorkItemQueueVisibilityTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Gets the longest pause between polls of an idle queue (<c>storageProvider.maxQueuePollingInterval</c>,
    /// default 30 seconds) → <see cref="AzureStorageOrchestrationServiceSettings.MaxQueuePollingInterval"/>.
    /// Messages enqueued by the same process wake its pollers at once; messages from other processes, and messages
    /// that become visible again after a crash, wait up to this long. About 1 second keeps tests quick.
    /// </summary>
    public TimeSpan MaxQueuePollingInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets how many activities one process runs at once (<c>maxConcurrentActivityFunctions</c>, default 10 × the
    /// processor count) → <see cref="AzureStorageOrchestrationServiceSettings.MaxConcurrentTaskActivityWorkItems"/>,
    /// which bounds the sidecar's activity dispatcher.
    /// </summary>
    public int MaxConcurrentActivityFunctions { get; init; } = 10 * Environment.ProcessorCount;

    /// <summary>
    /// Gets how many orchestrator episodes one process runs at once (<c>maxConcurrentOrchestratorFunctions</c>,
    /// default 10 × the processor count) →
    /// <see cref="AzureStorageOrchestrationServiceSettings.MaxConcurrentTaskOrchestrationWorkItems"/>, which bounds
    /// the sidecar's orchestration dispatcher.
    /// </summary>
    public int MaxConcurrentOrchestratorFunctions { get; init; } = 10 * Environment.ProcessorCount;

    /// <summary>
    /// Gets <c>extendedSessionsEnabled</c> (default <see langword="false"/>) as host.json says it. Read for
    /// completeness only: the sidecar's dispatcher does not drive DTFx sessions, so the server always runs the engine
    /// with <see cref="AzureStorageOrchestrationServiceSettings.ExtendedSessionsEnabled"/> off; through the sidecar
    /// extended sessions have no effect.
    /// </summary>
    public bool ExtendedSessionsEnabled { get; init; }

    /// <summary>
    /// Gets whether control-queue partitions are leased through rows of the <c>&lt;hub&gt;Partitions</c> table
    /// (<c>storageProvider.useTablePartitionManagement</c>, default <see langword="true"/> in Durable Functions 3.x)
    /// instead of blob leases → <see cref="AzureStorageOrchestrationServiceSettings.UseTablePartitionManagement"/>.
    /// Either way (measured on Azurite), a process that restarts under the dead one's worker id owns its partitions
    /// again on its first pass, and a process under another worker id waits for the lease to expire. Tables cost fewer
    /// storage transactions.
    /// </summary>
    public bool UseTablePartitionManagement { get; init; } = true;

    /// <summary>
    /// Gets whether the older blob partition manager without split-brain protection is used
    /// (<c>storageProvider.useLegacyPartitionManagement</c>, default <see langword="false"/>) →
    /// <see cref="AzureStorageOrchestrationServiceSettings.UseLegacyPartitionManagement"/>. Only applies when
    /// <see cref="UseTablePartitionManagement"/> is off.
    /// </summary>
    public bool UseLegacyPartitionManagement { get; init; }

    /// <summary>
    /// Gets whether status queries download large inputs and outputs kept in blobs
    /// (<c>storageProvider.fetchLargeMessagesAutomatically</c>, default <see langword="true"/>) →
    /// <see cref="AzureStorageOrchestrationServiceSettings.FetchLargeMessageDataEnabled"/>.
    /// </summary>
    public bool FetchLargeMessagesAutomatically { get; init; } = true;

    /// <summary>
    /// Gets whether events sent to a finished instance replay it, to repair an Instances row a crash left stale
    /// (<c>storageProvider.allowReplayingTerminalInstances</c>, default <see langword="false"/>) →
    /// <see cref="AzureStorageOrchestrationServiceSettings.AllowReplayingTerminalInstances"/>.
    /// </summary>
    public bool AllowReplayingTerminalInstances { get; init; }

    /// <summary>
    /// Gets whether a process must hold the task hub's app lease before it takes work (<c>useAppLease</c>, default
    /// <see langword="true"/>) → <see cref="AzureStorageOrchestrationServiceSettings.UseAppLease"/>. The lease id is
    /// derived from the app name (<c>WEBSITE_SITE_NAME</c> or <c>DTFX_APP_NAME</c>, else empty), so a restarted
    /// process of the same app takes it back at once; a different app waits for it to expire
    /// (<see cref="AppLeaseInterval"/>) and retries only every <see cref="AppLeaseAcquireInterval"/>.
    /// </summary>
    public bool UseAppLease { get; init; } = true;

    /// <summary>Gets how often the app lease is renewed (<c>appLeaseOptions.renewInterval</c>, default 25 seconds) → <see cref="AppLeaseOptions.RenewInterval"/>.</summary>
    public TimeSpan AppLeaseRenewInterval { get; init; } = TimeSpan.FromSeconds(25);

    /// <summary>Gets how often a process without the app lease tries to take it (<c>appLeaseOptions.acquireInterval</c>, default 5 minutes) → <see cref="AppLeaseOptions.AcquireInterval"/>.</summary>
    public TimeSpan AppLeaseAcquireInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets how long the app lease lasts without renewal (<c>appLeaseOptions.leaseInterval</c>, default 1 minute) → <see cref="AppLeaseOptions.LeaseInterval"/>.</summary>
    public TimeSpan AppLeaseInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Gets how long a partition lease lasts without renewal (DTFx default 30 seconds) →
    /// <see cref="AzureStorageOrchestrationServiceSettings.LeaseInterval"/>. Not a host.json setting: the Functions
    /// host leaves it at this default, and <see cref="FromHostJson"/> does not read it. After a crash, another
    /// process can own the dead one's partitions only once this has passed since its last renewal.
    /// </summary>
    public TimeSpan LeaseInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets how often blob partition leases are renewed (DTFx default 10 seconds) →
    /// <see cref="AzureStorageOrchestrationServiceSettings.LeaseRenewInterval"/>. Not a host.json setting. The table
    /// partition manager renews on every pass instead (<see cref="LeaseAcquireInterval"/>).
    /// </summary>
    public TimeSpan LeaseRenewInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets how often the partition manager reads the lease table (or blobs) to claim free or expired partitions,
    /// renew its own and balance (DTFx default 10 seconds) →
    /// <see cref="AzureStorageOrchestrationServiceSettings.LeaseAcquireInterval"/>. Not a host.json setting. It must
    /// stay well under <see cref="LeaseInterval"/>.
    /// </summary>
    public TimeSpan LeaseAcquireInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Reads <c>extensions.durableTask</c> (and its <c>storageProvider</c> and <c>appLeaseOptions</c>) of a Functions
    /// host.json, with the Durable extension's defaults for missing keys, and with what <paramref name="overrides"/>
    /// sets under <see cref="FunctionsHostOverridesPath"/> on top, as the Functions host applies its environment
    /// overrides. Keys are case-insensitive, time spans are <c>[d.]hh:mm:ss</c>, comments are allowed. Values the
    /// Functions host refuses are refused here too.
    /// </summary>
    /// <param name="hostJsonPath">The path of host.json.</param>
    /// <param name="overrides">
    /// A configuration whose <see cref="FunctionsHostOverridesPath"/> section (keys relative to <c>durableTask</c>, e.g.
    /// <c>storageProvider:partitionCount</c>) overrides host.json, or <see langword="null"/> for host.json alone.
    /// </param>
    /// <returns>The settings.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">A value does not parse.</exception>
    /// <exception cref="InvalidOperationException">A value is outside what the Functions host accepts.</exception>
    public static DurableTaskEngineSettings FromHostJson(string hostJsonPath, IConfiguration? overrides = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(hostJsonPath);
        string fullPath = Path.GetFullPath(hostJsonPath);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"No host.json at {fullPath}.", fullPath);
        }

        // Sections come back as keys with null values: kept, they would hide host.json's keys beneath them.
        IEnumerable<KeyValuePair<string, string?>> overridden = overrides is null
            ? []
            : overrides.GetSection(FunctionsHostOverridesPath).AsEnumerable(makePathsRelative: true)
                .Where(pair => pair.Value is not null)
                .Select(pair => new KeyValuePair<string, string?>(DurableTaskPath + ":" + pair.Key, pair.Value));
        IConfigurationRoot root = new ConfigurationBuilder()
            .AddJsonFile(fullPath, optional: false, reloadOnChange: false)
            .AddInMemoryCollection(overridden)
            .Build();
        return FromConfiguration(root.GetSection(DurableTaskPath));
    }

    /// <summary>
    /// Reads the same keys as <see cref="FromHostJson"/> from a configuration section that stands for
    /// <c>extensions.durableTask</c> (for example <c>AzureFunctionsJobHost:extensions:durableTask</c>, where the
    /// Functions host takes its environment overrides from). A missing section gives the defaults.
    /// </summary>
    /// <param name="durableTaskSection">The <c>durableTask</c> section.</param>
    /// <returns>The settings.</returns>
    /// <exception cref="FormatException">A value does not parse.</exception>
    /// <exception cref="InvalidOperationException">A value is outside what the Functions host accepts.</exception>
    public static DurableTaskEngineSettings FromConfiguration(IConfigurationSection durableTaskSection)
    {
        ArgumentNullException.ThrowIfNull(durableTaskSection);
        IConfigurationSection storage = durableTaskSection.GetSection(StorageProviderKey);
        IConfigurationSection appLease = durableTaskSection.GetSection(AppLeaseOptionsKey);
        var defaults = new DurableTaskEngineSettings();

        var settings = new DurableTaskEngineSettings
        {
            HubName = ResolveAppSetting(durableTaskSection, "hubName"),
            PartitionCount = ReadInt(storage, "partitionCount", defaults.PartitionCount),
            ControlQueueBatchSize = ReadInt(storage, "controlQueueBatchSize", defaults.ControlQueueBatchSize),
            ControlQueueBufferThreshold = ReadInt(storage, "controlQueueBufferThreshold", defaults.ControlQueueBufferThreshold),
            ControlQueueVisibilityTimeout = ReadTimeSpan(storage, "controlQueueVisibilityTimeout", defaults.ControlQueueVisibilityTimeout),
            WorkItemQueueVisibilityTimeout = ReadTimeSpan(storage, "workItemQueueVisibilityTimeout", defaults.WorkItemQueueVisibilityTimeout),
            MaxQueuePollingInterval = ReadTimeSpan(storage, "maxQueuePollingInterval", defaults.MaxQueuePollingInterval),
            UseTablePartitionManagement = ReadBool(storage, "useTablePartitionManagement", defaults.UseTablePartitionManagement),
            UseLegacyPartitionManagement = ReadBool(storage, "useLegacyPartitionManagement", defaults.UseLegacyPartitionManagement),
            FetchLargeMessagesAutomatically = ReadBool(storage, "fetchLargeMessagesAutomatically", defaults.FetchLargeMessagesAutomatically),
            AllowReplayingTerminalInstances = ReadBool(storage, "allowReplayingTerminalInstances", defaults.AllowReplayingTerminalInstances),
            MaxConcurrentActivityFunctions = ReadInt(durableTaskSection, "maxConcurrentActivityFunctions", defaults.MaxConcurrentActivityFunctions),
            MaxConcurrentOrchestratorFunctions = ReadInt(durableTaskSection, "maxConcurrentOrchestratorFunctions", defaults.MaxConcurrentOrchestratorFunctions),
            ExtendedSessionsEnabled = ReadBool(durableTaskSection, "extendedSessionsEnabled", defaults.ExtendedSessionsEnabled),
            UseAppLease = ReadBool(durableTaskSection, "useAppLease", defaults.UseAppLease),
            AppLeaseRenewInterval = ReadTimeSpan(appLease, "renewInterval", defaults.AppLeaseRenewInterval),
            AppLeaseAcquireInterval = ReadTimeSpan(appLease, "acquireInterval", defaults.AppLeaseAcquireInterval),
            AppLeaseInterval = ReadTimeSpan(appLease, "leaseInterval", defaults.AppLeaseInterval),
        };

        settings.ValidateLikeFunctionsHost(durableTaskSection.Path);
        return settings;
    }

    // The Durable extension's AzureStorageOptions.Validate, so the local host refuses what the Functions host refuses.
    private void ValidateLikeFunctionsHost(string path)
    {
        if (ControlQueueBatchSize <= 0)
        {
            throw new InvalidOperationException($"{path}:{StorageProviderKey}: controlQueueBatchSize must be a positive integer (the Functions host refuses {ControlQueueBatchSize}).");
        }

        if (PartitionCount is < 1 or > 16)
        {
            throw new InvalidOperationException($"{path}:{StorageProviderKey}: partitionCount must be an integer between 1 and 16 (the Functions host refuses {PartitionCount}).");
        }

        if (ControlQueueVisibilityTimeout < TimeSpan.FromMinutes(1) || ControlQueueVisibilityTimeout > TimeSpan.FromMinutes(60))
        {
            throw new InvalidOperationException($"{path}:{StorageProviderKey}: controlQueueVisibilityTimeout must be between 1 and 60 minutes (the Functions host refuses {ControlQueueVisibilityTimeout}). Shorter values can be given in code for the sidecar only.");
        }

        if (MaxQueuePollingInterval <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{path}:{StorageProviderKey}: maxQueuePollingInterval must be positive (the Functions host refuses {MaxQueuePollingInterval}).");
        }

        if (ControlQueueBufferThreshold is < 1 or > 1000)
        {
            throw new InvalidOperationException($"{path}:{StorageProviderKey}: controlQueueBufferThreshold must be between 1 and 1000 (the Functions host refuses {ControlQueueBufferThreshold}).");
        }
    }

    /// <summary>Checks what the engine itself cannot run with; values the Functions host would refuse are allowed here.</summary>
    internal void ValidateForEngine()
    {
        static void Positive(TimeSpan value, string name)
        {
            if (value <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(name, value, $"{nameof(DurableTaskEngineSettings)}.{name} must be positive.");
            }
        }

        static void AtLeastOne(int value, string name)
        {
            if (value < 1)
            {
                throw new ArgumentOutOfRangeException(name, value, $"{nameof(DurableTaskEngineSettings)}.{name} must be at least 1.");
            }
        }

        if (PartitionCount is < 1 or > 16)
        {
            throw new ArgumentOutOfRangeException(nameof(PartitionCount), PartitionCount, $"{nameof(DurableTaskEngineSettings)}.{nameof(PartitionCount)} must be between 1 and 16.");
        }

        AtLeastOne(ControlQueueBatchSize, nameof(ControlQueueBatchSize));
        AtLeastOne(ControlQueueBufferThreshold, nameof(ControlQueueBufferThreshold));
        AtLeastOne(MaxConcurrentActivityFunctions, nameof(MaxConcurrentActivityFunctions));
        AtLeastOne(MaxConcurrentOrchestratorFunctions, nameof(MaxConcurrentOrchestratorFunctions));
        Positive(ControlQueueVisibilityTimeout, nameof(ControlQueueVisibilityTimeout));
        Positive(WorkItemQueueVisibilityTimeout, nameof(WorkItemQueueVisibilityTimeout));
        Positive(MaxQueuePollingInterval, nameof(MaxQueuePollingInterval));
        Positive(AppLeaseRenewInterval, nameof(AppLeaseRenewInterval));
        Positive(AppLeaseAcquireInterval, nameof(AppLeaseAcquireInterval));
        Positive(AppLeaseInterval, nameof(AppLeaseInterval));
        Positive(LeaseInterval, nameof(LeaseInterval));
        Positive(LeaseRenewInterval, nameof(LeaseRenewInterval));
        Positive(LeaseAcquireInterval, nameof(LeaseAcquireInterval));
        if (LeaseAcquireInterval >= LeaseInterval)
        {
            throw new ArgumentOutOfRangeException(nameof(LeaseAcquireInterval), LeaseAcquireInterval, $"{nameof(DurableTaskEngineSettings)}.{nameof(LeaseAcquireInterval)} must be shorter than {nameof(LeaseInterval)} ({LeaseInterval}), or partitions expire between renewals.");
        }
    }

    /// <summary>Copies the settings onto the engine's settings.</summary>
    internal void ApplyTo(AzureStorageOrchestrationServiceSettings settings)
    {
        settings.PartitionCount = PartitionCount;
        settings.ControlQueueBatchSize = ControlQueueBatchSize;
        settings.ControlQueueBufferThreshold = ControlQueueBufferThreshold;
        settings.ControlQueueVisibilityTimeout = ControlQueueVisibilityTimeout;
        settings.WorkItemQueueVisibilityTimeout = WorkItemQueueVisibilityTimeout;
        settings.MaxQueuePollingInterval = MaxQueuePollingInterval;
        settings.MaxConcurrentTaskActivityWorkItems = MaxConcurrentActivityFunctions;
        settings.MaxConcurrentTaskOrchestrationWorkItems = MaxConcurrentOrchestratorFunctions;
        settings.ExtendedSessionsEnabled = false;
        settings.UseTablePartitionManagement = UseTablePartitionManagement;
        settings.UseLegacyPartitionManagement = UseLegacyPartitionManagement;
        settings.FetchLargeMessageDataEnabled = FetchLargeMessagesAutomatically;
        settings.AllowReplayingTerminalInstances = AllowReplayingTerminalInstances;
        settings.UseAppLease = UseAppLease;
        settings.AppLeaseOptions = new AppLeaseOptions
        {
            RenewInterval = AppLeaseRenewInterval,
            AcquireInterval = AppLeaseAcquireInterval,
            LeaseInterval = AppLeaseInterval,
        };
        settings.LeaseInterval = LeaseInterval;
        settings.LeaseRenewInterval = LeaseRenewInterval;
        settings.LeaseAcquireInterval = LeaseAcquireInterval;
    }

    private static string? ResolveAppSetting(IConfigurationSection section, string key)
    {
        string? value = section[key];
        if (value is { Length: > 2 } && value[0] == '%' && value[^1] == '%')
        {
            string name = value[1..^1];
            return Environment.GetEnvironmentVariable(name) is { Length: > 0 } resolved
                ? resolved
                : throw new InvalidOperationException($"{section.Path}:{key} is '{value}', but the app setting (environment variable) {name} is not set.");
        }

        return string.IsNullOrWhiteSpace(value) ? null : value;
    }

    private static int ReadInt(IConfigurationSection section, string key, int fallback)
    {
        string? value = section[key];
        if (value is null)
        {
            return fallback;
        }

        return int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int parsed)
            ? parsed
            : throw new FormatException($"{section.Path}:{key}: '{value}' is not an integer.");
    }

    private static bool ReadBool(IConfigurationSection section, string key, bool fallback)
    {
        string? value = section[key];
        if (value is null)
        {
            return fallback;
        }

        return bool.TryParse(value, out bool parsed)
            ? parsed
            : throw new FormatException($"{section.Path}:{key}: '{value}' is not true or false.");
    }

    private static TimeSpan ReadTimeSpan(IConfigurationSection section, string key, TimeSpan fallback)
    {
        string? value = section[key];
        if (value is null)
        {
            return fallback;
        }

        return TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out TimeSpan parsed)
            ? parsed
            : throw new FormatException($"{section.Path}:{key}: '{value}' is not a time span ([d.]hh:mm:ss).");
    }
}
