namespace Workflow.Durable.Tests;

public sealed class SmokeTests
{
    [Fact]
    public async Task Chain_of_activities_completes_with_the_expected_output()
    {
        await using var host = await DurableTestHost.StartAsync(r => r.AddOrchestrator<Chain>().AddActivity<AddOne>());
        OrchestrationMetadata result = await host.RunAsync(nameof(Chain), 5);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal(5, result.ReadOutputAs<int>());
    }

    [Fact]
    public async Task Event_raised_while_waiting_completes_the_wait()
    {
        await using var host = await DurableTestHost.StartAsync(r => r.AddOrchestrator<WaitForApproval>());
        string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(WaitForApproval), 60.0);
        await host.Client.RaiseEventAsync(id, "Approval", "yes");
        OrchestrationMetadata result = await host.WaitAsync(id);
        Assert.Equal("yes", result.ReadOutputAs<string>());
    }
}
