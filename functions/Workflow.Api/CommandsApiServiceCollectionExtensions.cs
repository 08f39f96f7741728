using Microsoft.DurableTask;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Workflow.Api.Commands;
using Workflow.Api.Durable;
using Workflow.Api.Lockout;
using Workflow.Api.Protection;
using Workflow.Api.Security;
using Workflow.Secrets;
using Workflow.Vehicles;
using Workflow.Vehicles.Lockout;

namespace Workflow.Api;

/// <summary>Registers the product: the vehicle workflow, its secrets and the product API's handlers. Both hosts call it.</summary>
public static class CommandsApiServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="CommandHandlers"/> and what they and the vehicle workflow's activities need: Key Vault
    /// secrets (<c>AddWorkflowSecrets</c>), the PIN/OTP sealer, the per-vehicle PIN lockout on the storage account
    /// the engine uses (<see cref="StorageConnection"/>), the payload <see cref="DataConverter"/> and the options of
    /// <see cref="CommandsApiOptions"/> (section <c>Commands</c>), validated at start-up. The host adds the Durable
    /// client and worker (or the Functions triggers) itself.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The application's configuration root.</param>
    /// <param name="environment">The host environment: only Development may run without a vault.</param>
    public static IServiceCollection AddVehicleCommandsApi(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);

        services.AddOptions<CommandsApiOptions>()
            .Bind(configuration.GetSection(CommandsApiOptions.SectionName))
            .Validate(
                o => o.PublicBaseUrl is null || (o.PublicBaseUrl.IsAbsoluteUri && (o.PublicBaseUrl.Scheme == Uri.UriSchemeHttp || o.PublicBaseUrl.Scheme == Uri.UriSchemeHttps)),
                "Commands:PublicBaseUrl must be an absolute http or https URL, for example https://func-vcmd-abc.azurewebsites.net.")
            .Validate(
                o => o.PublicBaseUrl is not null || environment.IsDevelopment(),
                $"Commands:PublicBaseUrl is required outside Development (the environment is '{environment.EnvironmentName}'): set it "
                + "(app setting Commands__PublicBaseUrl) to the app's public address, for example https://func-vcmd-abc.azurewebsites.net. "
                + "Links are never built from the request's Host header.")
            .ValidateOnStart();

        services.AddWorkflowSecrets(configuration, environment);
        services.AddVehicleWorkflow(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PayloadEncryption>();
        services.TryAddSingleton<CommandPayloadConverter>();
        services.TryAddSingleton<DataConverter>(provider => provider.GetRequiredService<CommandPayloadConverter>());
        services.AddHostedService<PayloadKeyWarmup>();
        services.TryAddSingleton<ISensitiveDataProtector, SensitiveDataProtector>();

        // The PIN lockout counts per vehicle across every instance of the app: one table on the engine's account.
        services.TryAddSingleton(_ => new AppTables(StorageConnection.CreateTableServiceClient(configuration)));
        services.TryAddSingleton<IPinAttemptLimiter>(provider => new TablePinAttemptLimiter(
            provider.GetRequiredService<AppTables>().Get(TablePinAttemptLimiter.TableName),
            provider.GetRequiredService<IOptions<Vehicles.Options.VehicleWorkflowOptions>>(),
            provider.GetRequiredService<TimeProvider>()));

        services.TryAddSingleton<PinTokens>();
        services.TryAddSingleton<PinLockoutGuard>();
        services.TryAddSingleton<CommandLinks>();
        services.TryAddSingleton(provider => new PinRoundClaims(provider.GetRequiredService<AppTables>().Get(PinRoundClaims.TableName)));
        services.TryAddSingleton<PinIntake>();

        // Internal constructor (its parameters are internal types): built here, ActivatorUtilities takes public ones only.
        services.TryAddSingleton(provider => new CommandHandlers(
            provider.GetRequiredService<PinTokens>(),
            provider.GetRequiredService<PinIntake>(),
            provider.GetRequiredService<CommandLinks>(),
            provider.GetRequiredService<IOptions<Vehicles.Options.VehicleWorkflowOptions>>()));
        return services;
    }
}
