using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Workflow.Functions.Hosting;

namespace Workflow.Functions.LocalStack;

/// <summary>
/// Development only: what <c>dotnet run --project functions/Workflow.Functions</c> needs besides the app,
/// started as hosted services before the durable runtime so that storage is up when the runtime needs it.
/// </summary>
internal static class LocalStackSetup
{
    public static void Configure(WebApplicationBuilder builder)
    {
        LocalStackOptions options = builder.Configuration.GetSection(LocalStackOptions.SectionName).Get<LocalStackOptions>() ?? new LocalStackOptions();
        if (!builder.Environment.IsDevelopment() || !options.Enabled || HostAddresses.IsCustomHandler(builder))
        {
            return;
        }

        Uri? simulator = null;
        if (options.Simulator && string.IsNullOrWhiteSpace(builder.Configuration["VehicleApi:BaseUrl"]))
        {
            // Decided now, not when the simulator starts: the vehicle client's options are validated before hosted services run.
            simulator = options.SimulatorUrl;
            builder.Configuration["VehicleApi:BaseUrl"] = simulator.AbsoluteUri;
        }

        bool azurite = options.Azurite
            && string.Equals(StorageSetup.ResolveConnectionString(builder.Configuration, builder.Environment), StorageSetup.DevelopmentStorage, StringComparison.OrdinalIgnoreCase);

        if (azurite)
        {
            builder.Services.AddHostedService(sp => new AzuriteHostedService(
                builder.Environment.ContentRootPath, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<AzuriteHostedService>>()));
        }

        if (simulator is not null)
        {
            builder.Services.AddHostedService(sp => new SimulatorHostedService(
                simulator, sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<ILogger<SimulatorHostedService>>()));
        }

        if (options.PrintDemo)
        {
            builder.Services.AddHostedService(sp => ActivatorUtilities.CreateInstance<DemoBanner>(sp, new DemoBanner.Stack(azurite, simulator)));
        }
    }
}
