using System.Diagnostics;
using System.Globalization;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Workflow.Testing;

namespace Workflow.DurableSidecar.Tests;

/// <summary>
/// The child side of the crash tests (a sidecar and a worker whose activity never returns, in their own process), and
/// the parent's handle on that process.
/// </summary>
internal sealed class CrashHost : IAsyncDisposable
{
    public const string Command = "crash-host";
    public const string WorkStarted = "WORK-STARTED";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly OutputBuffer _output = new();
    private readonly TaskCompletionSource _workStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private CrashHost(Process process) => _process = process;

    /// <summary>What the child printed, bounded: past the cap its oldest lines go, its last ones (why it exited) stay.</summary>
    public string Output => _output.ToString();

    /// <summary>The engine settings both sides use. SIDECAR_CRASH_BLOB_LEASES=1 switches to blob partition leases.</summary>
    public static DurableTaskEngineSettings Engine(TimeSpan visibilityTimeout) => SidecarEnvironment.FastEngine with
    {
        ControlQueueVisibilityTimeout = visibilityTimeout,
        WorkItemQueueVisibilityTimeout = visibilityTimeout,
        UseTablePartitionManagement = Environment.GetEnvironmentVariable("SIDECAR_CRASH_BLOB_LEASES") != "1",
    };

    /// <summary>Child: runs until killed, or until its standard input closes (the parent went away).</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        if (args is not [string connectionString, string hubName, string visibilitySeconds, string workerId, string orchestrator, string instanceId])
        {
            await Console.Error.WriteLineAsync($"usage: {Command} <connection string> <hub> <visibility seconds> <worker id> <orchestrator> <instance id>");
            return 2;
        }

        TestTasks.BlockForever = true;
        TestTasks.BlockStarted += id =>
        {
            if (id == instanceId)
            {
                Console.WriteLine(WorkStarted);
            }
        };

        using ILoggerFactory logs = LoggerFactory.Create(b => b.AddSimpleConsole(c => c.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
        DurableSidecarServer server = await DurableSidecarServer.StartAsync(
            new DurableSidecarOptions
            {
                StorageConnectionString = connectionString,
                HubName = hubName,
                LoggerFactory = logs,
                WorkerId = workerId,
                Engine = Engine(TimeSpan.FromSeconds(int.Parse(visibilitySeconds, CultureInfo.InvariantCulture))),
            },
            CancellationToken.None);
        using var channel = server.CreateChannel();
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = AppContext.BaseDirectory });
        builder.Services.AddDurableTaskOnSidecar(channel, TestTasks.Register);
        using IHost host = builder.Build();
        await host.StartAsync();

        DurableTaskClient client = host.Services.GetRequiredService<DurableTaskClient>();
        await client.ScheduleNewOrchestrationInstanceAsync(orchestrator, "crash", new StartOrchestrationOptions(instanceId));

        // Nothing below runs in the tests: the parent kills the process with SIGKILL.
        while (await Console.In.ReadLineAsync() is not null)
        {
        }

        await server.StopAsync(CancellationToken.None);
        await host.StopAsync();
        return 0;
    }

    /// <summary>Parent: starts the child and waits until its orchestration is stuck in the activity or in the orchestrator.</summary>
    public static async Task<CrashHost> StartAsync(string connectionString, string hubName, TimeSpan visibilityTimeout, string workerId, string orchestrator, string instanceId)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "workflow-durablesidecar-crashhost")).FullName,
        };
        foreach (string arg in new[]
        {
            "exec", typeof(CrashHost).Assembly.Location, Command, connectionString, hubName,
            ((int)visibilityTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture), workerId, orchestrator, instanceId,
        })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var child = new CrashHost(process);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data);
        process.Exited += (_, _) => child._workStarted.TrySetException(new InvalidOperationException($"The crash host exited early:\n{child.Output}"));
        if (!process.Start())
        {
            throw new InvalidOperationException("Could not start the crash host.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await child._workStarted.Task.WaitAsync(StartTimeout);
        }
        catch (TimeoutException e)
        {
            await child.DisposeAsync();
            throw new TimeoutException($"The crash host's work did not start within {StartTimeout}:\n{child.Output}", e);
        }
        catch
        {
            await child.DisposeAsync();
            throw;
        }

        return child;
    }

    /// <summary>kill -9: no stop, no lease release, no abandon.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
        finally
        {
            _process.Dispose();
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Append(line);

        if (line == WorkStarted)
        {
            _workStarted.TrySetResult();
        }
    }

    // The dotnet host running the tests runs the child too; DOTNET_HOST_PATH is set by the SDK.
    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        return Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }
}
