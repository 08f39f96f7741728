using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Workflow.Durable;
using Workflow.Durable.Processing;
using Workflow.Durable.TestWorker;

// A worker process for the multi-process tests:
//   Workflow.Durable.TestWorker <connection string> <hub name> [control visibility timeout in seconds]
// It prints READY once its queue listeners run, and stops when its standard input closes (or when it
// is killed). With WORKFLOW_TESTWORKER_CRASH_AFTER_COMMIT=<prefix> it dies with Environment.FailFast
// right after committing a step of an instance whose id starts with <prefix>, before dispatching the
// step's outbox: a real crash at the worst moment.
if (args.Length < 2)
{
    await Console.Error.WriteLineAsync("usage: Workflow.Durable.TestWorker <connection string> <hub name> [control visibility timeout seconds]");
    return 2;
}

string connectionString = args[0];
string hubName = args[1];
TimeSpan visibility = TimeSpan.FromSeconds(args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 5);
string? crashPrefix = Environment.GetEnvironmentVariable("WORKFLOW_TESTWORKER_CRASH_AFTER_COMMIT");

// Content root is the worker's own folder, whatever directory the test runs it in.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddSingleton(new SideEffectTables(connectionString, hubName));
builder.Services.AddDurableTask(r => r.AddOrchestrator<RaceChain>().AddActivity<RaceStep>()).Configure(o =>
{
    o.HubName = hubName;
    o.Storage.ConnectionString = connectionString;
    o.MaxPollingInterval = TimeSpan.FromMilliseconds(50);
    o.ControlMessageVisibilityTimeout = visibility;
    o.WorkItemVisibilityTimeout = visibility;
    o.InlineSafetyDelay = visibility;
});

using IHost host = builder.Build();
if (!string.IsNullOrEmpty(crashPrefix))
{
    host.Services.GetRequiredService<OrchestrationStepProcessor>().AfterCommitBeforeDispatch = (instanceId, _) =>
    {
        if (instanceId.StartsWith(crashPrefix, StringComparison.Ordinal))
        {
            Console.Out.WriteLine($"CRASHING after commit of {instanceId}");
            Console.Out.Flush();
            Environment.FailFast($"Test worker: simulated crash after committing a step of {instanceId}.");
        }

        return Task.CompletedTask;
    };
}

await host.StartAsync();
Console.Out.WriteLine("READY");
Console.Out.Flush();

// Standard input closing is the polite stop signal; the test kills the process if it does not stop.
await Console.In.ReadToEndAsync();
await host.StopAsync(TimeSpan.FromSeconds(5));
return 0;
