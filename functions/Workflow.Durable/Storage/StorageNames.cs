namespace Workflow.Durable.Storage;

/// <summary>The names of a task hub's storage resources, derived from the hub name.</summary>
internal sealed record StorageNames(string HubName)
{
    /// <summary>One partition per instance: the instance row, its history rows and its outbox rows.</summary>
    public string HistoryTable => $"{HubName}History";

    public string ControlQueue => $"{HubName.ToLowerInvariant()}-control";

    public string WorkItemQueue => $"{HubName.ToLowerInvariant()}-workitems";

    public string PoisonQueue => $"{HubName.ToLowerInvariant()}-poison";

    /// <summary>Payloads too large for a table property or a queue message.</summary>
    public string PayloadContainer => $"{HubName.ToLowerInvariant()}-payloads";
}
