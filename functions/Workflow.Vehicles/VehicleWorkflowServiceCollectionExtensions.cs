using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Workflow.Vehicles.Activities;
using Workflow.Vehicles.Api;
using Workflow.Vehicles.Lockout;
using Workflow.Vehicles.Options;

namespace Workflow.Vehicles;

/// <summary>Registers what the vehicle workflow's activities need: options, the vehicle API client and its credentials.</summary>
public static class VehicleWorkflowServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates (at start-up) <see cref="VehicleWorkflowOptions"/> from <c>VehicleWorkflow</c> and
    /// <see cref="VehicleApiOptions"/> from <c>VehicleApi</c>, and registers the typed <see cref="VehicleApiClient"/>
    /// with a standard resilience pipeline, its token cache and <see cref="IVehicleApiCredentialsSource"/>
    /// (the app's <c>ISecretStore</c>, unless one is registered already).
    /// </summary>
    /// <remarks>
    /// The host must also register an <c>ISecretStore</c> (<c>AddWorkflowSecrets</c>), an
    /// <see cref="ISensitiveDataProtector"/> and an <see cref="IPinAttemptLimiter"/> on storage every app instance
    /// shares (no default here: an in-memory one would let each instance count on its own), and add the orchestrator
    /// and activities to a Microsoft.DurableTask worker with <see cref="VehicleWorkflowRegistryExtensions.AddVehicleWorkflow"/>.
    /// </remarks>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The application's configuration root.</param>
    public static IServiceCollection AddVehicleWorkflow(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<VehicleWorkflowOptions>()
            .Bind(configuration.GetSection(VehicleWorkflowOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<VehicleWorkflowOptions>, ConsistentWorkflowOptions>());

        services.AddOptions<VehicleApiOptions>()
            .Bind(configuration.GetSection(VehicleApiOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(
                o => o.BaseUrl is null || (o.BaseUrl.IsAbsoluteUri && (o.BaseUrl.Scheme == Uri.UriSchemeHttp || o.BaseUrl.Scheme == Uri.UriSchemeHttps)),
                "VehicleApi:BaseUrl must be an absolute http or https address, e.g. http://127.0.0.1:7072/.")
            .Validate(o => o.TotalTimeout > o.AttemptTimeout, "VehicleApi:TotalTimeout must be longer than VehicleApi:AttemptTimeout (it includes the retries).")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IVehicleApiCredentialsSource, SecretStoreVehicleApiCredentialsSource>();
        services.TryAddSingleton<VehicleApiTokenCache>();

        // The activities, for hosts that resolve them from the container (the Functions app's triggers).
        services.TryAddTransient<CallVehicleApiActivity>();
        services.TryAddTransient<RequestVehicleOtpActivity>();

        services.AddHttpClient<VehicleApiClient>((provider, http) =>
            {
                VehicleApiOptions api = provider.GetRequiredService<IOptions<VehicleApiOptions>>().Value;
                http.BaseAddress = WithTrailingSlash(api.BaseUrl!);

                // The resilience pipeline's total timeout is the limit; HttpClient's own would cut its retries short.
                http.Timeout = Timeout.InfiniteTimeSpan;
            })
            .AddStandardResilienceHandler()
            .Configure((resilience, provider) => Configure(resilience, provider.GetRequiredService<IOptions<VehicleApiOptions>>().Value));

        return services;
    }

    private static void Configure(HttpStandardResilienceOptions resilience, VehicleApiOptions api)
    {
        resilience.AttemptTimeout.Timeout = api.AttemptTimeout;
        resilience.TotalRequestTimeout.Timeout = api.TotalTimeout;
        resilience.Retry.MaxRetryAttempts = api.RetryCount;
        resilience.Retry.Delay = api.RetryBaseDelay;
        resilience.Retry.BackoffType = DelayBackoffType.Exponential;
        resilience.Retry.UseJitter = true;

        // The standard pipeline insists on a sampling window of at least twice the attempt timeout.
        TimeSpan sampling = api.AttemptTimeout * 2;
        if (resilience.CircuitBreaker.SamplingDuration < sampling)
        {
            resilience.CircuitBreaker.SamplingDuration = sampling;
        }
    }

    private static Uri WithTrailingSlash(Uri baseUrl) =>
        baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");

    /// <summary>Start-up check of the rules between <see cref="VehicleWorkflowOptions"/>, with the message of the one broken.</summary>
    private sealed class ConsistentWorkflowOptions : IValidateOptions<VehicleWorkflowOptions>
    {
        public ValidateOptionsResult Validate(string? name, VehicleWorkflowOptions options)
            => options.CheckConsistency() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}
