namespace Workflow.Durable.Tests;

internal sealed class Echo : TaskActivity<string, string>
{
    public override Task<string> RunAsync(TaskActivityContext context, string input) => Task.FromResult(input);
}

internal sealed class AddOne : TaskActivity<int, int>
{
    public override Task<int> RunAsync(TaskActivityContext context, int input) => Task.FromResult(input + 1);
}

/// <summary>Calls AddOne <c>input</c> times in sequence.</summary>
internal sealed class Chain : TaskOrchestrator<int, int>
{
    public override async Task<int> RunAsync(TaskOrchestrationContext context, int input)
    {
        int value = 0;
        for (int i = 0; i < input; i++)
        {
            value = await context.CallActivityAsync<int>(nameof(AddOne), value);
        }

        return value;
    }
}

/// <summary>Waits for "Approval" for at most input seconds; returns the event data or "timeout".</summary>
internal sealed class WaitForApproval : TaskOrchestrator<double, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, double input)
    {
        context.SetCustomStatus(new { stage = "waiting" });
        try
        {
            return await context.WaitForExternalEvent<string>("Approval", TimeSpan.FromSeconds(input));
        }
        catch (TaskCanceledException)
        {
            return "timeout";
        }
    }
}
