using System.Globalization;
using Workflow.Testing;

namespace Workflow.Azurite.Tests;

/// <summary>
/// The entry point of this assembly when it runs as a program (the test host loads it as a library and never calls
/// this). <see cref="OrphanTests"/> runs it as a child process: it starts a private <see cref="AzuriteServer"/>, prints
/// <c>azurite PID BLOB QUEUE TABLE</c> on one line, and then, by its argument, either waits to be killed
/// (<c>wait</c>, for at most two minutes, so that a failed test never leaves it behind) or returns at once without
/// disposing the server (<c>exit</c>).
/// </summary>
public static class OrphanHelper
{
    /// <summary>The line's first word.</summary>
    public const string Marker = "azurite";

    private static readonly TimeSpan WaitLimit = TimeSpan.FromMinutes(2);

    public static async Task<int> Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args is not [("wait" or "exit") and string mode])
        {
            await Console.Error.WriteLineAsync("usage: Workflow.Azurite.Tests (wait|exit)").ConfigureAwait(false);
            return 2;
        }

        using var timeout = new CancellationTokenSource(WaitLimit);
        AzuriteServer azurite = await AzuriteServer.StartAsync(timeout.Token).ConfigureAwait(false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Marker} {azurite.ProcessId} {azurite.BlobPort} {azurite.QueuePort} {azurite.TablePort}"));
        Console.Out.Flush();
        if (mode == "wait")
        {
            // Not a synchronisation: the test kills this process while it waits here.
            await Task.Delay(WaitLimit).ConfigureAwait(false);
        }

        // Deliberately not disposed: what ends Azurite is this process ending.
        return 0;
    }
}
