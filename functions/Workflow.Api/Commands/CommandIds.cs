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
        $"1 to {MaxLength} printable ASCII characters without spaces, '/', '\\', '#', '?' or '%', and not '.' or '..'";

    /// <summary>Whether <paramref name="id"/> may be used as a command id.</summary>
    /// <remarks>
    /// ASCII only: a key the storage service compares byte for byte must not have look-alikes. <c>/ \ # ?</c> are refused
    /// in table keys, <c>%</c> and spaces would be decoded or split in the URLs ids travel in, and <c>.</c> / <c>..</c> are
    /// path segments a URL normalizer removes.
    /// </remarks>
    public static bool IsValid(string? id)
        => id is { Length: > 0 and <= MaxLength } and not ("." or "..")
            && id.All(c => c is > ' ' and <= '~' and not ('/' or '\\' or '#' or '?' or '%'));
}
