using System.Diagnostics;
using System.Globalization;
using Workflow.Testing;

namespace Workflow.Azurite.Tests;

/// <summary>
/// No Azurite outlives the process that started it: a child process (this assembly run as a program, see
/// <see cref="OrphanHelper"/>) starts one and then ends, normally or by SIGKILL, which no handler of its own sees.
/// </summary>
public sealed class OrphanTests
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan GoneLimit = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Azurite_dies_with_the_process_that_started_it_when_that_process_is_killed_with_SIGKILL()
    {
        await using Helper helper = await Helper.StartAsync("wait");
        Assert.True(ProcessTable.IsRunning(helper.AzuritePid), $"Azurite {helper.AzuritePid} does not run");
        Assert.Contains("azurite", ProcessTable.CommandLine(helper.AzuritePid), StringComparison.Ordinal);
        await AssertListeningAsync(helper.Ports);

        // Process.Kill sends SIGKILL on Unix, to the helper alone: it runs no exit handler and kills nothing, so
        // only Azurite's watchdog (its standard input closing with the helper) can end it.
        helper.Process.Kill(entireProcessTree: false);
        using (var killed = new CancellationTokenSource(GoneLimit))
        {
            await helper.Process.WaitForExitAsync(killed.Token);
        }

        Assert.NotEqual(0, helper.Process.ExitCode);
        await AssertGoneAsync(helper);
    }

    [Fact]
    public async Task Azurite_dies_with_the_process_that_started_it_when_that_process_ends_without_disposing_it()
    {
        await using Helper helper = await Helper.StartAsync("exit");

        using (var exited = new CancellationTokenSource(GoneLimit))
        {
            await helper.Process.WaitForExitAsync(exited.Token);
        }

        Assert.Equal(0, helper.Process.ExitCode);

        await AssertGoneAsync(helper);
    }

    private static async Task AssertListeningAsync(AzuritePorts ports)
    {
        foreach (int port in ports.All)
        {
            Assert.True(await LoopbackPort.IsListeningAsync(port, CancellationToken.None), $"nothing listens on {port}");
        }
    }

    private static async Task AssertGoneAsync(Helper helper)
    {
        await Eventually.TrueAsync(() => Task.FromResult(!ProcessTable.IsRunning(helper.AzuritePid)), $"Azurite (process {helper.AzuritePid}) to exit", GoneLimit);
        foreach (int port in helper.Ports.All)
        {
            await Eventually.TrueAsync(async () => !await LoopbackPort.IsListeningAsync(port, CancellationToken.None), $"port {port} to be free", GoneLimit);
        }
    }

    /// <summary>This test assembly, run as a program by the dotnet host that runs the tests.</summary>
    private sealed class Helper : IAsyncDisposable
    {
        private Helper(Process process, int azuritePid, AzuritePorts ports)
        {
            Process = process;
            AzuritePid = azuritePid;
            Ports = ports;
        }

        public Process Process { get; }

        public int AzuritePid { get; }

        public AzuritePorts Ports { get; }

        public static async Task<Helper> StartAsync(string mode)
        {
            var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = AppContext.BaseDirectory,
            };
            start.ArgumentList.Add(typeof(OrphanHelper).Assembly.Location);
            start.ArgumentList.Add(mode);
            Process process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the helper.");
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            try
            {
                using var timeout = new CancellationTokenSource(StartLimit);
                string? line = await process.StandardOutput.ReadLineAsync(timeout.Token);
                if (line?.Split(' ') is not [OrphanHelper.Marker, string pid, string blob, string queue, string table])
                {
                    await process.WaitForExitAsync(timeout.Token);
                    throw new InvalidOperationException($"The helper printed '{line}' and exited with {process.ExitCode}:\n{await stderr}");
                }

                return new Helper(process, Number(pid), new AzuritePorts(Number(blob), Number(queue), Number(table)));
            }
            catch
            {
                process.Kill(entireProcessTree: true);
                process.Dispose();
                throw;
            }
        }

        /// <summary>Cleans up after a failed test: the helper, and an Azurite it left behind (if this process is still azurite).</summary>
        public async ValueTask DisposeAsync()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
            }

            if (ProcessTable.IsRunning(AzuritePid) && ProcessTable.CommandLine(AzuritePid).Contains("azurite", StringComparison.Ordinal))
            {
                using Process orphan = Process.GetProcessById(AzuritePid);
                orphan.Kill();
            }

            using (var exited = new CancellationTokenSource(GoneLimit))
            {
                await Process.WaitForExitAsync(exited.Token);
            }

            Process.Dispose();
        }

        private static int Number(string text) => int.Parse(text, CultureInfo.InvariantCulture);
    }
}
