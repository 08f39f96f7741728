namespace Workflow.Azurite.Tests;

/// <summary>Processes by id, from /proc (the tests that look at processes run on Linux).</summary>
internal static class ProcessTable
{
    /// <summary>Whether a process runs (a killed one that its parent has not reaped yet counts as gone).</summary>
    public static bool IsRunning(int pid)
    {
        try
        {
            string text = File.ReadAllText(Path.Combine("/proc", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "stat"));
            return text[(text.LastIndexOf(')') + 2)..][0] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Its command line, arguments separated by spaces; empty when it is gone.</summary>
    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText(Path.Combine("/proc", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "cmdline")).Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }
}
