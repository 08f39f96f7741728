namespace Workflow.VehicleSimulator;

/// <summary>
/// Standalone entry point (<c>dotnet run --project functions/Workflow.VehicleSimulator</c>).
/// An explicit class in the project's namespace rather than top-level statements, so the function
/// app, which references this project and has its own entry point, sees no second global <c>Program</c>.
/// </summary>
internal static class Program
{
    private static async Task Main(string[] args)
    {
        await using var app = VehicleSimulatorApp.Build(args);
        await app.RunAsync();
    }
}
