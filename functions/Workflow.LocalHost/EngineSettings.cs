using Microsoft.Extensions.Configuration;
using Workflow.DurableSidecar;

namespace Workflow.LocalHost;

/// <summary>
/// The Durable engine's settings of the local host: the repository's host.json (copied next to the binary), with the
/// same overrides the Functions host takes (<c>AzureFunctionsJobHost__extensions__durableTask__…</c>). Both hosts
/// therefore run the engine with the settings the product ships.
/// </summary>
internal static class EngineSettings
{
    public static DurableTaskEngineSettings Read(IConfiguration configuration, string contentRoot)
    {
        string hostJson = new[] { AppContext.BaseDirectory, contentRoot }
            .Select(folder => Path.Combine(folder, "host.json"))
            .FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"host.json was not found next to the local host ({AppContext.BaseDirectory}); the build copies the repository's host.json there.");

        return DurableTaskEngineSettings.FromHostJson(hostJson, configuration);
    }
}
