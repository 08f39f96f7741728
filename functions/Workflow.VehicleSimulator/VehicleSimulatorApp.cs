using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Workflow.VehicleSimulator.Auth;
using Workflow.VehicleSimulator.Control;
using Workflow.VehicleSimulator.Faults;
using Workflow.VehicleSimulator.Pims;
using Workflow.VehicleSimulator.State;

namespace Workflow.VehicleSimulator;

/// <summary>Composition of the simulator: shared by a standalone run (<see cref="Build"/>) and <see cref="VehicleSimulatorServer"/>.</summary>
public static class VehicleSimulatorApp
{
    /// <summary>
    /// The standalone app, as <c>dotnet run</c> starts it: it listens on
    /// <see cref="VehicleSimulatorOptions.StandaloneUrl"/> unless <c>--urls</c> (or <c>ASPNETCORE_URLS</c>)
    /// or <c>VehicleSimulator:Url</c> says otherwise.
    /// </summary>
    /// <param name="args">Command-line arguments; they override configuration, as usual in ASP.NET Core.</param>
    /// <param name="configure">
    /// Code defaults. Runs before the <c>VehicleSimulator</c> configuration section is bound, so
    /// configuration and command line win over it.
    /// </param>
    /// <exception cref="System.ComponentModel.DataAnnotations.ValidationException">A setting is out of range.</exception>
    public static WebApplication Build(string[] args, Action<VehicleSimulatorOptions>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        var options = new VehicleSimulatorOptions { Url = VehicleSimulatorOptions.StandaloneUrl };
        configure?.Invoke(options);
        builder.Configuration.GetSection(VehicleSimulatorOptions.SectionName).Bind(options);
        options.Validate();
        if (options.LoggerFactory is { } loggerFactory)
        {
            builder.Services.AddSingleton(loggerFactory);
        }

        AddSimulator(builder.Services, options);
        var app = builder.Build();
        MapSimulator(app);

        // The host applies --urls / ASPNETCORE_URLS only when no address was added here.
        if (string.IsNullOrEmpty(app.Configuration["urls"]))
        {
            app.Urls.Add(options.Url);
        }

        return app;
    }

    /// <summary>Registers the simulator's state and services for validated <paramref name="options"/>.</summary>
    internal static void AddSimulator(IServiceCollection services, VehicleSimulatorOptions options)
    {
        var time = options.TimeProvider ?? TimeProvider.System;

        // The clock is not registered as TimeProvider: a fake clock must drive the simulator, not the framework.
        services.AddSingleton(options);
        services.AddSingleton(new SimulatorState(options, time));
        services.AddSingleton(new TokenIssuer(options, time));
        services.AddSingleton<PimsProcessor>();
    }

    /// <summary>Adds the fault middleware and every endpoint.</summary>
    internal static void MapSimulator(WebApplication app)
    {
        app.UseMiddleware<FaultMiddleware>();
        app.MapPost(TokenEndpoint.Path, TokenEndpoint.HandleAsync);
        app.MapPost(PimsEndpoint.Path, PimsEndpoint.HandleGetAsync);
        app.MapPost(PimsEndpoint.SetPath, PimsEndpoint.HandleSetAsync);
        ControlEndpoints.Map(app);
        app.MapGet("/healthz", () => Results.Text("Healthy"));
    }
}
