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
        Assert.Equal(3, workflow.BusyRetryAttempts);
        Assert.Equal(TimeSpan.FromSeconds(30), workflow.BusyRetryDelay);
    }

    [Fact]
    public void Settings_of_a_command_started_before_the_busy_settings_existed_get_their_defaults()
    {
        const string before = """{"pinTimeout":"00:05:00","maxPinAttempts":3,"resetStepRetries":1,"retryMaxAttempts":5,"retryFirstInterval":"00:00:05","retryBackoffCoefficient":2,"retryMaxInterval":"00:01:00","retryTimeout":"00:10:00"}""";

        var settings = System.Text.Json.JsonSerializer.Deserialize<Workflow.Vehicles.Orchestration.VehicleCommandSettings>(before, Workflow.Api.Durable.CommandPayloadConverter.SerializerOptions)!;

        Assert.Equal((VehicleWorkflowOptions.DefaultBusyRetryAttempts, VehicleWorkflowOptions.DefaultBusyRetryDelay), (settings.BusyRetryAttempts, settings.BusyRetryDelay));
        Assert.Null(settings.Validate());
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
    [InlineData("VehicleWorkflow:BusyRetryAttempts", "21", "VehicleWorkflow:BusyRetryAttempts must be between 0 and 20")]
    [InlineData("VehicleWorkflow:BusyRetryDelay", "00:00:00", "VehicleWorkflow:BusyRetryDelay must be between 00:00:00.010 and 01:00:00")]
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
