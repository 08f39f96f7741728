using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;

namespace Workflow.Durable;

/// <summary>Settings of the durable runtime (configuration section <c>DurableTask</c> in the app).</summary>
public sealed class DurableTaskOptions
{
    /// <summary>
    /// The task hub: a name that prefixes the runtime's tables, queues and blob container, so several
    /// apps can share one storage account. Letters and digits, starting with a letter, 3 to 45 characters.
    /// </summary>
    [Required]
    [RegularExpression("^[A-Za-z][A-Za-z0-9]{2,44}$", ErrorMessage = "HubName must be 3 to 45 letters or digits and start with a letter.")]
    public string HubName { get; set; } = "DurableTaskHub";

    /// <summary>How to reach Azure Storage.</summary>
    public DurableTaskStorageOptions Storage { get; set; } = new();

    /// <summary>Run in-process queue listeners (standalone). Off when the Functions host delivers queue messages.</summary>
    public bool UseQueueListeners { get; set; } = true;

    /// <summary>
    /// The latency fast path. A client call that starts an instance, raises an event or terminates runs
    /// the orchestration step itself instead of waiting for the queue; an activity's result is applied
    /// by the worker that ran it; and a worker that runs queue listeners runs the activities its own
    /// steps schedule without waiting for the queue to deliver them. Messages still back everything a
    /// crash could otherwise lose: the start of an instance, a step's outbox, a running activity.
    /// </summary>
    public bool EnableInlineExecution { get; set; } = true;

    /// <summary>
    /// How long the hidden queue message that backs an inline step (see <see cref="EnableInlineExecution"/>)
    /// waits before it surfaces. It is deleted when the step goes through; it only surfaces after a crash.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan InlineSafetyDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Maximum activities running at once in this process.</summary>
    [Range(1, 1000)]
    public int MaxConcurrentActivities { get; set; } = 32;

    /// <summary>Maximum orchestration steps running at once in this process.</summary>
    [Range(1, 1000)]
    public int MaxConcurrentOrchestrations { get; set; } = 32;

    /// <summary>Longest wait between polls of an empty queue (polling backs off up to this).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan MaxPollingInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a received control message stays hidden from other workers while it is processed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ControlMessageVisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a received activity message stays hidden; an activity must finish within it or it runs again.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "07.00:00:00")]
    public TimeSpan WorkItemVisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Deliveries after which a message that keeps failing is moved to the poison queue.</summary>
    [Range(1, 100)]
    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>Instance states kept in memory to skip a storage read on the next step.</summary>
    [Range(0, 1_000_000)]
    public int InstanceCacheSize { get; set; } = 10_000;

    /// <summary>How inputs, outputs and events are serialized.</summary>
    public JsonSerializerOptions SerializerOptions { get; set; } = new(JsonSerializerDefaults.Web);
}

/// <summary>Where the task hub lives: a connection string (Azurite, development) or service URIs with a token credential (Azure).</summary>
public sealed class DurableTaskStorageOptions
{
    /// <summary>A storage connection string, e.g. <c>UseDevelopmentStorage=true</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The storage account name; service URIs default to the public Azure endpoints of this account.</summary>
    public string? AccountName { get; set; }

    /// <summary>Explicit table service URI (overrides <see cref="AccountName"/>).</summary>
    public Uri? TableServiceUri { get; set; }

    /// <summary>Explicit queue service URI (overrides <see cref="AccountName"/>).</summary>
    public Uri? QueueServiceUri { get; set; }

    /// <summary>Explicit blob service URI (overrides <see cref="AccountName"/>).</summary>
    public Uri? BlobServiceUri { get; set; }

    /// <summary>The identity used with service URIs (managed identity in Azure).</summary>
    public TokenCredential? Credential { get; set; }

    /// <summary>Extra Azure SDK pipeline policies added to every storage client (request counting, tracing).</summary>
    public IList<HttpPipelinePolicy> AdditionalPolicies { get; } = [];

    /// <summary>
    /// A table service client on this account, connected and instrumented exactly as the runtime's own: for an
    /// app's tables next to the task hub's.
    /// </summary>
    /// <exception cref="InvalidOperationException">Neither a connection string nor a credential is set.</exception>
    public TableServiceClient CreateTableServiceClient()
    {
        var options = new TableClientOptions();
        AddPoliciesTo(options);
        return string.IsNullOrWhiteSpace(ConnectionString)
            ? new TableServiceClient(TableServiceUri ?? AccountServiceUri("table"), RequireCredential(), options)
            : new TableServiceClient(ConnectionString, options);
    }

    internal void AddPoliciesTo(ClientOptions options)
    {
        foreach (HttpPipelinePolicy policy in AdditionalPolicies)
        {
            options.AddPolicy(policy, HttpPipelinePosition.PerRetry);
        }
    }

    internal Uri AccountServiceUri(string service)
        => new($"https://{AccountName ?? throw new InvalidOperationException($"DurableTask:Storage needs an AccountName or an explicit {service} service URI.")}.{service}.core.windows.net/");

    internal TokenCredential RequireCredential()
        => Credential ?? throw new InvalidOperationException("DurableTask:Storage needs a ConnectionString, or service URIs / an AccountName together with a Credential.");
}
