using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Workflow.Vehicles.Options;

namespace Workflow.Vehicles.Tests;

/// <summary>Bad settings stop the app at start-up with a message that names the setting.</summary>
public sealed class OptionsValidationTests
{
    [Fact]
    public void Defaults_with_a_base_url_are_valid()
    {
        using ServiceProvider services = Build(new() { ["VehicleApi:BaseUrl"] = "http://127.0.0.1:7072" });

        services.GetRequiredService<IStartupValidator>().Validate();

        VehicleWorkflowOptions workflow = services.GetRequiredService<IOptions<VehicleWorkflowOptions>>().Value;
        Assert.Equal(TimeSpan.FromMinutes(5), workflow.PinTimeout);
        Assert.Equal(3, workflow.MaxPinAttempts);
        Assert.Equal(1, workflow.ResetStepRetries);
        Assert.Equal(5, workflow.MaxFailedPinAttemptsPerVehicle);
        Assert.Equal(TimeSpan.FromHours(1), workflow.FailedPinAttemptWindow);
    }

    [Theory]
    [InlineData("VehicleApi:BaseUrl", null, "VehicleApi:BaseUrl is required")]
    [InlineData("VehicleApi:BaseUrl", "localhost/api", "VehicleApi:BaseUrl must be an absolute http or https address")]
    [InlineData("VehicleApi:TotalTimeout", "00:00:01", "VehicleApi:TotalTimeout must be longer than VehicleApi:AttemptTimeout")]
    [InlineData("VehicleApi:RetryCount", "0", "VehicleApi:RetryCount must be between 1 and 10")]
    [InlineData("VehicleWorkflow:PinTimeout", "00:00:00", "VehicleWorkflow:PinTimeout must be between")]
    [InlineData("VehicleWorkflow:MaxPinAttempts", "0", "VehicleWorkflow:MaxPinAttempts must be between 1 and 10")]
    [InlineData("VehicleWorkflow:MaxFailedPinAttemptsPerVehicle", "0", "VehicleWorkflow:MaxFailedPinAttemptsPerVehicle must be between 1 and 100")]
    [InlineData("VehicleWorkflow:FailedPinAttemptWindow", "00:00:00", "VehicleWorkflow:FailedPinAttemptWindow must be between 00:00:01 and 7.00:00:00")]
    [InlineData("VehicleWorkflow:ResetStepRetries", "-1", "VehicleWorkflow:ResetStepRetries must be between 0 and 5")]
    [InlineData("VehicleWorkflow:RetryMaxInterval", "00:00:01", "VehicleWorkflow:RetryMaxInterval must not be shorter than VehicleWorkflow:RetryFirstInterval")]
    public void An_invalid_setting_fails_start_up_naming_it(string key, string? value, string expected)
    {
        using ServiceProvider services = Build(new() { ["VehicleApi:BaseUrl"] = "http://127.0.0.1:7072", [key] = value });

        Exception error = Assert.ThrowsAny<Exception>(() => services.GetRequiredService<IStartupValidator>().Validate());

        IEnumerable<string> messages = error is AggregateException aggregate
            ? aggregate.InnerExceptions.Select(e => e.Message)
            : [error.Message];
        Assert.Contains(messages, m => m.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_retry_timeout_shorter_than_the_first_retry_interval_fails_start_up_naming_it()
    {
        // RetryPolicy refuses such a pair, so a host that accepted it would fail every command at its first step.
        using ServiceProvider services = Build(new()
        {
            ["VehicleApi:BaseUrl"] = "http://127.0.0.1:7072",
            ["VehicleWorkflow:RetryFirstInterval"] = "00:00:05",
            ["VehicleWorkflow:RetryTimeout"] = "00:00:01",
        });

        Exception? error = Record.Exception(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.NotNull(error);
        Assert.Contains("VehicleWorkflow:RetryTimeout must not be shorter than VehicleWorkflow:RetryFirstInterval", error.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddVehicleWorkflow(configuration).BuildServiceProvider();
    }
}
