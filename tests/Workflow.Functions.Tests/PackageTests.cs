using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using Workflow.Functions.CustomHandler;
using Workflow.Testing;

namespace Workflow.Functions.Tests;

/// <summary>
/// Runs the real package command once (a self-contained linux-x64 publish with <c>PackageFunctionApp=true</c>)
/// into a temporary folder, with its own build output so it never touches the test build's.
/// </summary>
public sealed class PackageFixture : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "workflow-package-" + Guid.NewGuid().ToString("N")[..8]);

    public string ZipPath => Path.Combine(_folder, "app.zip");

    public string Output { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepositoryPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[]
        {
            "publish", "functions/Workflow.Functions", "-c", "Release", "-r", "linux-x64", "--self-contained",
            "-p:PackageFunctionApp=true", $"-p:FunctionAppPackagePath={ZipPath}",
            "--artifacts-path", Path.Combine(_folder, "build"), "-nodeReuse:false", "--nologo",
        })
        {
            start.ArgumentList.Add(arg);
        }

        // The test host's MSBuild variables would point the child build at this build's SDK state.
        foreach (string variable in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(variable);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("Could not run dotnet publish.");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        Task<string> stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        Output = await stdout + await stderr;
        Assert.True(process.ExitCode == 0, $"The package command failed ({process.ExitCode}):\n{Output}");
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>The deployment zip has the layout the Functions host expects of a custom handler.</summary>
public sealed class PackageTests(PackageFixture package) : IClassFixture<PackageFixture>
{
    private const int UnixExecuteBits = 0b001_001_001;

    [Fact]
    public void The_zip_has_host_json_the_function_folders_and_the_app_and_nothing_else_at_its_root()
    {
        using ZipArchive zip = ZipFile.OpenRead(package.ZipPath);
        string[] functions = [.. Directory.GetDirectories(SourceFunctionFolder).Select(d => Path.GetFileName(d))];
        string[] expected = [.. functions.Append("app").Append("host.json").Order(StringComparer.Ordinal)];

        string[] roots = [.. zip.Entries.Select(e => e.FullName.Split('/')[0]).Distinct().Order(StringComparer.Ordinal)];

        Assert.Equal(expected, roots);
        foreach (string function in functions)
        {
            ZipArchiveEntry entry = Assert.Single(zip.Entries, e => e.FullName.StartsWith(function + "/", StringComparison.Ordinal));
            Assert.Equal($"{function}/function.json", entry.FullName);
            Assert.Equal(File.ReadAllText(Path.Combine(SourceFunctionFolder, function, "function.json")), Read(entry));
        }

        Assert.Equal(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "host.json")), Read(zip.GetEntry("host.json")!));
    }

    [Fact]
    public void The_custom_handler_executable_is_a_self_contained_linux_app_and_keeps_its_execute_permission()
    {
        using ZipArchive zip = ZipFile.OpenRead(package.ZipPath);
        using JsonDocument host = JsonDocument.Parse(Read(zip.GetEntry("host.json")!));
        string executable = host.RootElement.GetProperty("customHandler").GetProperty("description").GetProperty("defaultExecutablePath").GetString()!;

        ZipArchiveEntry app = zip.GetEntry(executable) ?? throw new Xunit.Sdk.XunitException($"{executable} is not in the package.");
        int mode = (app.ExternalAttributes >> 16) & 0xFFF;
        Assert.True((mode & UnixExecuteBits) == UnixExecuteBits, $"{executable} has mode {Convert.ToString(mode, 8)}; the host cannot start it.");

        // ELF, not a Windows or framework-dependent launcher.
        using (Stream stream = app.Open())
        {
            byte[] magic = new byte[4];
            stream.ReadExactly(magic);
            Assert.Equal("\u007fELF"u8.ToArray(), magic);
        }

        Assert.NotNull(zip.GetEntry("app/Workflow.Functions.dll"));
        Assert.NotNull(zip.GetEntry("app/libcoreclr.so"));
        Assert.NotNull(zip.GetEntry("app/Microsoft.AspNetCore.dll"));
        Assert.NotNull(zip.GetEntry("app/appsettings.json"));

        // Its local, well-known secrets are for Development only and never ship.
        Assert.Null(zip.GetEntry("app/appsettings.Development.json"));
        Assert.DoesNotContain(zip.Entries, e => e.FullName.StartsWith("app/FunctionApp/", StringComparison.Ordinal));
        Assert.DoesNotContain(zip.Entries, e => e.FullName.EndsWith("function.json", StringComparison.Ordinal) && e.FullName.StartsWith("app/", StringComparison.Ordinal));
    }

    [Fact]
    public void The_packaged_function_metadata_matches_the_queue_names_the_app_checks_at_start()
    {
        string folder = Path.Combine(Path.GetTempPath(), "workflow-package-check-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            using (ZipArchive zip = ZipFile.OpenRead(package.ZipPath))
            {
                foreach (ZipArchiveEntry entry in zip.Entries.Where(e => e.FullName.EndsWith("function.json", StringComparison.Ordinal)))
                {
                    string target = Path.Combine(folder, entry.FullName);
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    entry.ExtractToFile(target);
                }
            }

            IReadOnlyList<FunctionDefinition> functions = FunctionAppMetadata.Load(folder);
            FunctionMetadataStartupCheck.Check(functions, FunctionNames.ControlQueueTrigger, "vehiclecommands-control");
            FunctionMetadataStartupCheck.Check(functions, FunctionNames.WorkItemQueueTrigger, "vehiclecommands-workitems");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string SourceFunctionFolder => Path.Combine(RepositoryPaths.Root, "functions", "Workflow.Functions", "FunctionApp");

    private static string Read(ZipArchiveEntry entry)
    {
        using var reader = new StreamReader(entry.Open());
        return reader.ReadToEnd();
    }
}
