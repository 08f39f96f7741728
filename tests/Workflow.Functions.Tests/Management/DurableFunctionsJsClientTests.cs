using System.Diagnostics;
using Workflow.Testing;

namespace Workflow.Functions.Tests.Management;

/// <summary>
/// The official Durable Functions JavaScript client (npm <c>durable-functions</c>, pinned by the lock file next
/// to the script) drives start, status, raise, terminate, list and purge against the API, in both of its URL
/// modes. Proves compatibility with a real client rather than with our reading of the reference.
/// </summary>
public sealed class DurableFunctionsJsClientTests(ManagementServerFixture fixture) : IClassFixture<ManagementServerFixture>
{
    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    private static string ScriptFolder => Path.Combine(RepositoryPaths.Root, "tests", "Workflow.Functions.Tests", "Management", "DurableFunctionsJs");

    [Theory]
    [InlineData("webhook")]
    [InlineData("rpc")]
    public async Task The_durable_functions_npm_client_can_drive_the_api(string mode)
    {
        await EnsureInstalledAsync();
        ManagementTestServer server = fixture.Server;

        (int exitCode, string output) = await RunAsync(
            "node", ScriptFolder, "client-check.js", server.BaseAddress.ToString(), server.HubName, "test-key", mode);

        Assert.True(exitCode == 0, $"The durable-functions client failed ({exitCode}):\n{output}");
        Assert.Contains($"done {mode}", output, StringComparison.Ordinal);
    }

    private static async Task EnsureInstalledAsync()
    {
        await InstallGate.WaitAsync();
        try
        {
            if (File.Exists(Path.Combine(ScriptFolder, "node_modules", "durable-functions", "package.json")))
            {
                return;
            }

            (int exitCode, string output) = await RunAsync("npm", ScriptFolder, "ci", "--no-audit", "--no-fund");
            Assert.True(exitCode == 0, $"npm ci failed ({exitCode}); the durable-functions client is not installed.\n{output}");
        }
        finally
        {
            InstallGate.Release();
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string fileName, string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}; install Node.js 20+ and npm.");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        Task<string> stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
