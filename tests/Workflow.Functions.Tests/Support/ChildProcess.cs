using System.Diagnostics;
using Workflow.Testing;

namespace Workflow.Functions.Tests.Support;

/// <summary>Runs a command to completion with a deadline, capturing its output; kills its whole tree if the deadline passes.</summary>
internal static class ChildProcess
{
    public static async Task<(int ExitCode, string Output)> RunAsync(ProcessStartInfo startInfo, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(startInfo);
        startInfo.UseShellExecute = false;
        startInfo.RedirectStandardOutput = true;
        startInfo.RedirectStandardError = true;
        startInfo.RedirectStandardInput = true;
        var output = new OutputBuffer();
        using var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => output.Append(e.Data);
        process.ErrorDataReceived += (_, e) => output.Append(e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            throw new TimeoutException($"'{startInfo.FileName} {string.Join(' ', startInfo.ArgumentList)}' did not finish within {timeout}; killed. Output:\n{output.Tail()}");
        }

        // The parameterless wait also drains the asynchronous output readers.
        process.WaitForExit();
        return (process.ExitCode, output.ToString());
    }
}
