using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace Workflow.Durable.Tests;

/// <summary>
/// One <c>Workflow.Durable.TestWorker</c> process: the runtime in a separate OS process on a given task
/// hub. Disposal closes its standard input (its polite stop signal), waits a bounded time, then kills it.
/// </summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WorkerProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    public string Name { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The worker's dll, as recorded at build time by the test project.</summary>
    public static string WorkerPath { get; } =
        typeof(WorkerProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "TestWorkerPath").Value
        ?? throw new InvalidOperationException("The test assembly does not record where the test worker is.");

    /// <summary>Starts a worker and waits until its listeners run.</summary>
    public static async Task<WorkerProcess> StartAsync(
        string name, string connectionString, string hubName, TimeSpan controlVisibility, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (!File.Exists(WorkerPath))
        {
            throw new FileNotFoundException($"The test worker was not built at {WorkerPath}.", WorkerPath);
        }

        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // Not the build output: whatever a crash leaves behind (a core file) must not land there.
            WorkingDirectory = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "workflow-durable-testworker")).FullName,
        };
        foreach (string arg in new[] { "exec", WorkerPath, connectionString, hubName, ((int)controlVisibility.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        // No crash dumps from the deliberate FailFast.
        start.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        foreach ((string key, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var worker = new WorkerProcess(process, name);
        process.OutputDataReceived += (_, e) => worker.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => worker.OnLine(e.Data);
        process.Exited += (_, _) => worker._ready.TrySetException(new InvalidOperationException($"Worker {name} exited before it was ready:\n{worker.Output}"));
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start worker {name}.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await worker._ready.Task.WaitAsync(StartTimeout);
        }
        catch
        {
            await worker.DisposeAsync();
            throw;
        }

        return worker;
    }

    /// <summary>Waits (bounded) for the process to exit on its own, e.g. after a deliberate crash.</summary>
    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Worker {Name} did not exit within {timeout}:\n{Output}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                try
                {
                    _process.StandardInput.Close();
                }
                catch (IOException)
                {
                    // Its end of the pipe is already gone.
                }

                using var cts = new CancellationTokenSource(StopTimeout);
                try
                {
                    await _process.WaitForExitAsync(cts.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(StopTimeout);
                }
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

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (line == "READY")
        {
            _ready.TrySetResult();
        }
    }

    // The dotnet host running the tests runs the worker too; DOTNET_HOST_PATH is set by the SDK.
    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        return Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }
}
