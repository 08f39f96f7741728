namespace Workflow.Functions.Tests.Support;

/// <summary>Best-effort removal of the tests' temporary folders (publish output, hosts' state).</summary>
internal static class TempDirectories
{
    /// <summary>Deletes <paramref name="directory"/> and everything in it, if it is there; a file still in use leaves it behind.</summary>
    public static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a temporary folder.
        }
    }
}
