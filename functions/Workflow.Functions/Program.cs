using Workflow.Functions;

// Standalone (dotnet run) it serves http://127.0.0.1:7071 and drives its queues itself; under the
// Functions host (FUNCTIONS_CUSTOMHANDLER_PORT set) it serves the host on that port instead.
await using var app = WorkflowApp.Build(args);
await app.RunAsync();
