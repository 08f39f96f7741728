using Microsoft.Extensions.Hosting;
using Workflow.Durable;

namespace Workflow.Functions.CustomHandler;

/// <summary>
/// Under the Functions host, checks that the package's queue triggers listen to this task hub's queues.
/// <c>function.json</c> names the queues literally while the hub comes from <c>DurableTask__HubName</c>; if
/// the two disagree, no message would ever be delivered and every command would hang, so refuse to start.
/// </summary>
internal sealed class FunctionMetadataStartupCheck(DurableTaskWorker worker) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // The package puts the app in app/ under the folder of host.json and the function folders.
        string packageRoot = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, ".."));
        if (!File.Exists(Path.Combine(packageRoot, "host.json")))
        {
            return Task.CompletedTask;
        }

        IReadOnlyList<FunctionDefinition> functions = FunctionAppMetadata.Load(packageRoot);
        Check(functions, FunctionNames.ControlQueueTrigger, worker.ControlQueueName);
        Check(functions, FunctionNames.WorkItemQueueTrigger, worker.WorkItemQueueName);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    internal static void Check(IReadOnlyList<FunctionDefinition> functions, string functionName, string expectedQueue)
    {
        FunctionDefinition? function = functions.FirstOrDefault(f => f.Name == functionName);
        if (function is null || !string.Equals(function.QueueName, expectedQueue, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"The queue trigger {functionName} listens to '{function?.QueueName ?? "(no such function)"}', but the task hub uses the queue '{expectedQueue}'. "
                + $"Set DurableTask__HubName to the hub the package was built for ({WorkflowApp.DefaultHubName} by default), or change queueName in {functionName}/function.json.");
        }
    }
}
