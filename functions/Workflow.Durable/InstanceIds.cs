namespace Workflow.Durable;

/// <summary>Rules for instance ids: they become table partition keys and blob name prefixes.</summary>
internal static class InstanceIds
{
    public const int MaxLength = 100;

    public static void Validate(string instanceId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        if (instanceId.Length > MaxLength
            || instanceId.Trim().Length != instanceId.Length
            || instanceId.Any(c => char.IsControl(c) || c is '/' or '\\' or '#' or '?'))
        {
            throw new ArgumentException(
                $"Instance id '{instanceId}' is not valid: use 1 to {MaxLength} characters without '/', '\\', '#', '?', control characters or surrounding spaces.",
                nameof(instanceId));
        }
    }
}
