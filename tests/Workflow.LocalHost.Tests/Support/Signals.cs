using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Workflow.LocalHost.Tests.Support;

/// <summary>POSIX signals to a child process: .NET's <c>Process</c> can only send SIGKILL.</summary>
internal static partial class Signals
{
    private const int SigInt = 2;

    /// <summary>SIGINT to <paramref name="pid"/>; a negative value is a process group (<c>kill -INT -- -&lt;pgid&gt;</c>).</summary>
    public static void Interrupt(int pid)
    {
        if (Kill(pid, SigInt) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), $"kill({pid}, SIGINT) failed");
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
