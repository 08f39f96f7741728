namespace Workflow.Api.Commands;

/// <summary>
/// The rule for command ids (the orchestration instance ids a caller may choose). The Durable Task Framework's
/// Azure Storage engine makes them table partition and row keys, queue message fields and blob name prefixes, so
/// the characters those refuse are refused here, before anything is started.
/// </summary>
public static class CommandIds
{
    /// <summary>The longest id allowed.</summary>
    public const int MaxLength = 100;

    /// <summary>The rule in words, for error messages.</summary>
    public static readonly string Rule =
        $"1 to {MaxLength} characters without '/', '\\', '#', '?', control characters or surrounding spaces";

    /// <summary>Whether <paramref name="id"/> may be used as a command id.</summary>
    public static bool IsValid(string? id)
        => id is { Length: > 0 and <= MaxLength }
            && id.Trim().Length == id.Length
            && !id.Any(c => char.IsControl(c) || c is '/' or '\\' or '#' or '?');
}
