namespace Workflow.DurableSidecar.Tests;

/// <summary>
/// The test assembly doubles as the crash-test child process: <c>dotnet exec Workflow.DurableSidecar.Tests.dll
/// crash-host ...</c> runs a sidecar and a worker until it is killed (see <see cref="CrashHost"/>).
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is [CrashHost.Command, ..])
        {
            return await CrashHost.RunAsync(args[1..]);
        }

        await Console.Error.WriteLineAsync("This assembly holds tests: run it with dotnet test.");
        return 2;
    }
}
