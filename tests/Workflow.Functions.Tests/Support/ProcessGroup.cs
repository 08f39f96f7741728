using System.Diagnostics;
using System.Globalization;

namespace Workflow.Functions.Tests.Support;

/// <summary>Processes by process group, read from <c>/proc</c>, and signals to a whole group (<c>kill -SIG -- -PGID</c>).</summary>
internal static class ProcessGroup
{
    /// <summary>The processes of group <paramref name="groupId"/> that are still running (zombies excluded: they are dead, only not yet reaped).</summary>
    public static IReadOnlyList<int> LiveMembers(int groupId)
    {
        var members = new List<int>();
        foreach (string directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                && ReadStat(pid) is { } stat && stat.Group == groupId && stat.State is not ('Z' or 'X'))
            {
                members.Add(pid);
            }
        }

        return members;
    }

    /// <summary>Whether <paramref name="pid"/> still runs (not gone, not a zombie).</summary>
    public static bool IsAlive(int pid) => ReadStat(pid) is { State: not ('Z' or 'X') };

    /// <summary>The command line of <paramref name="pid"/>, or an empty string.</summary>
    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (IOException)
        {
            return string.Empty;
        }
        catch (UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    /// <summary>Sends <paramref name="signal"/> (<c>TERM</c>, <c>KILL</c>) to every process of group <paramref name="groupId"/>.</summary>
    public static void Signal(int groupId, string signal)
    {
        var startInfo = new ProcessStartInfo("kill") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string argument in (string[])["-s", signal, "--", "-" + groupId.ToString(CultureInfo.InvariantCulture)])
        {
            startInfo.ArgumentList.Add(argument);
        }

        Process kill;
        try
        {
            kill = Process.Start(startInfo)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No kill(1) on this machine: the caller's Process.Kill(entireProcessTree) still reaches host and worker.
            return;
        }

        using Process started = kill;
        kill.StandardOutput.ReadToEnd();
        kill.StandardError.ReadToEnd();
        if (!kill.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            kill.Kill();
        }

        // A non-zero exit means the group is already gone: nothing left to signal.
    }

    private static (char State, int Group)? ReadStat(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so read after the last ')'.
        int close = stat.LastIndexOf(')');
        string[] fields = close < 0 ? [] : stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 2 && int.TryParse(fields[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out int group)
            ? (fields[0][0], group)
            : null;
    }
}
