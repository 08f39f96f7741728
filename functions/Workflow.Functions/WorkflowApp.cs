using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;
using Workflow.Durable;
using Workflow.Functions.Commands;
using Workflow.Functions.CustomHandler;
using Workflow.Functions.Hosting;
using Workflow.Functions.LocalStack;
using Workflow.Functions.Lockout;
using Workflow.Functions.Management;
using Workflow.Functions.Protection;
using Workflow.Functions.Security;
using Workflow.Secrets;
using Workflow.Vehicles;
using Workflow.Vehicles.Lockout;
using Workflow.Vehicles.Options;

namespace Workflow.Functions;

/// <summary>
/// Composition of the function app. <c>Program</c> runs it; tests build the same app, with
/// configuration overrides, and run it on real Kestrel.
/// </summary>
public static class WorkflowApp
{
    /// <summary>The task hub when <c>DurableTask:HubName</c> is not set; the Functions queue triggers listen to its queues.</summary>
    public const string DefaultHubName = "VehicleCommands";

    /// <summary>
    /// Builds the app: configuration, services, middleware and endpoints. Nothing is started.
    /// </summary>
    /// <param name="args">
    /// Command-line arguments, as for <see cref="WebApplication.CreateBuilder(string[])"/>
    /// (for example <c>--environment=Development</c> or <c>--urls=http://127.0.0.1:0</c>).
    /// </param>
    /// <param name="configure">
    /// Runs right after the builder is created and before anything reads configuration or registers
    /// services: add configuration sources there, or services that must win over the defaults
    /// (the libraries register theirs with <c>TryAdd</c>).
    /// </param>
    /// <returns>The app, ready to <c>StartAsync</c> or <c>RunAsync</c>.</returns>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);

        // Order matters: the address and local-stack steps write configuration that the options below read.
        HostAddresses.Configure(builder);
        LocalStackSetup.Configure(builder);

        // The hosting layer logs every request URL at Information, query string included, and both the
        // function key (?code=) and the PIN token (?token=) travel there. Nothing below Warning from it.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);

        IServiceCollection services = builder.Services;
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddOpenApi();

        services.AddWorkflowSecrets(builder.Configuration, builder.Environment);
        services.AddSingleton<IPayloadProtector, DurablePayloadProtector>();
        services.AddSingleton<ISensitiveDataProtector, SensitiveDataProtector>();

        // Hosted services start in registration order: refuse to start before the runtime touches storage.
        services.AddSingleton<FunctionKeys>();
        services.AddSingleton<PinTokens>();
        services.AddHostedService<FunctionKeyStartupCheck>();
        services.AddHostedService<FunctionMetadataStartupCheck>();

        services.AddDurableTask(registry => registry.AddVehicleWorkflow())
            .Configure(o => o.HubName = DefaultHubName)
            .Bind(builder.Configuration.GetSection("DurableTask"));
        StorageSetup.Configure(services, builder.Configuration, builder.Environment);
        services.AddVehicleWorkflow(builder.Configuration);

        // The PIN lockout counts per vehicle across every instance of the app: one table next to the runtime's.
        services.AddSingleton<IPinAttemptLimiter>(sp =>
        {
            DurableTaskOptions durable = sp.GetRequiredService<IOptions<DurableTaskOptions>>().Value;
            return new TablePinAttemptLimiter(
                durable.Storage.CreateTableServiceClient().GetTableClient(TablePinAttemptLimiter.TableName(durable.HubName)),
                sp.GetRequiredService<IOptions<VehicleWorkflowOptions>>(),
                sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton<PinLockoutGuard>();

        FunctionHostOptions.Register(services, builder.Configuration);
        Telemetry.Configure(builder);

        WebApplication app = builder.Build();

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<PublicBaseUrlMiddleware>();
        app.UseMiddleware<FunctionKeyMiddleware>();

        app.MapCommandsApi();
        app.MapDurableTaskManagementApi();
        if (FunctionHostOptions.ReadServeInvocations(app.Configuration))
        {
            app.MapCustomHandlerInvocations();
        }

        if (app.Environment.IsDevelopment())
        {
            app.MapOpenApi();
            app.MapScalarApiReference();
        }

        return app;
    }
}
