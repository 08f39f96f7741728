namespace Workflow.Durable;

/// <summary>
/// Rules for instance ids: they become table partition keys and blob name prefixes. Public so that
/// an API in front of the runtime can refuse a bad id with the same rule before calling it.
/// </summary>
public static class InstanceIds
{
    /// <summary>The longest id allowed.</summary>
    public const int MaxLength = 100;

    /// <summary>The rule in words, for error messages.</summary>
    public static readonly string Rule =
        $"1 to {MaxLength} characters without '/', '\\', '#', '?', control characters or surrounding spaces";

    /// <summary>Whether <paramref name="instanceId"/> may be used as an instance id.</summary>
    public static bool IsValid(string? instanceId)
        => instanceId is { Length: > 0 and <= MaxLength }
            && instanceId.Trim().Length == instanceId.Length
            && !instanceId.Any(c => char.IsControl(c) || c is '/' or '\\' or '#' or '?');

    internal static void Validate(string instanceId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        if (!IsValid(instanceId))
        {
            throw new ArgumentException($"Instance id '{instanceId}' is not valid: use {Rule}.", nameof(instanceId));
        }
    }
}
