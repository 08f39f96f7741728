using Workflow.LocalHost;

// The README's main command: dotnet run --project functions/Workflow.LocalHost. Starts Azurite and the vehicle
// simulator (Development), the Durable engine and the product API on http://127.0.0.1:7071; Ctrl+C stops it all.
try
{
    await using LocalHostApp app = await LocalHostApp.StartAsync(args);
    await app.WaitForShutdownAsync();
}
catch (Exception ex) when (ex is InvalidOperationException or IOException)
{
    // Start-up refusals (a taken port, a missing setting) are written to be read as they are.
    await Console.Error.WriteLineAsync($"The local host did not start: {ex.Message}");
    return 1;
}

return 0;
