using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Workflow.Secrets;
using Workflow.Testing;
using Workflow.Vehicles.Api;
using Workflow.Vehicles.Tests.Infrastructure;
using Workflow.VehicleSimulator;

namespace Workflow.Vehicles.Tests;

/// <summary>The typed client against the simulator over HTTP: token caching, credentials, envelope.</summary>
public sealed class VehicleApiClientTests : IAsyncLifetime
{
    private static readonly System.Text.Json.JsonElement ReadParameters = System.Text.Json.JsonSerializer.SerializeToElement(VehicleWorkflowHost.Read);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly TokenRequestCounter _counter = new();
    private VehicleSimulatorServer? _simulator;

    public async Task InitializeAsync() => _simulator = await VehicleSimulatorServer.StartAsync(new VehicleSimulatorOptions());

    public async Task DisposeAsync() => await _simulator!.DisposeAsync();

    [Fact]
    public async Task The_token_is_reused_until_shortly_before_it_expires()
    {
        using ServiceProvider services = Build("local-dev-secret");
        VehicleApiClient client = services.GetRequiredService<VehicleApiClient>();
        var request = new VehicleApiRequest(TestVins.New(), VehicleWorkflowHost.InformationsApi, ReadParameters);

        await client.SendAsync(request, idempotencyKey: null, CancellationToken.None);
        await client.SendAsync(request, idempotencyKey: null, CancellationToken.None);
        Assert.Equal(1, _counter.Count);

        // The simulator's tokens live an hour and the client renews them a minute early.
        _time.Advance(TimeSpan.FromMinutes(58));
        await services.GetRequiredService<VehicleApiClient>().SendAsync(request, idempotencyKey: null, CancellationToken.None);
        Assert.Equal(1, _counter.Count);

        _time.Advance(TimeSpan.FromMinutes(1.5));
        VehicleApiMessage answer = await services.GetRequiredService<VehicleApiClient>().SendAsync(request, idempotencyKey: null, CancellationToken.None);
        Assert.Equal(2, _counter.Count);
        Assert.True(answer.IsSucceeded);
    }

    [Fact]
    public async Task Rejected_client_credentials_are_a_non_retryable_error_that_names_the_secrets_but_not_their_values()
    {
        using ServiceProvider services = Build("wrong-secret-value");
        VehicleApiClient client = services.GetRequiredService<VehicleApiClient>();

        VehicleApiException error = await Assert.ThrowsAsync<VehicleApiException>(
            () => client.SendAsync(new VehicleApiRequest(TestVins.New(), VehicleWorkflowHost.InformationsApi, ReadParameters), null, CancellationToken.None));

        Assert.Equal(401, error.StatusCode);
        Assert.Contains(SecretNames.VehicleApiClientSecret, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-secret-value", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_gateway_is_a_transient_error()
    {
        var settings = new Dictionary<string, string?> { ["VehicleApi:BaseUrl"] = $"http://127.0.0.1:{FreePort.Next()}/" };
        using ServiceProvider services = Build("local-dev-secret", settings, fakeTime: false);

        VehicleApiTransientException error = await Assert.ThrowsAsync<VehicleApiTransientException>(
            () => services.GetRequiredService<VehicleApiClient>().SendAsync(new VehicleApiRequest(TestVins.New(), VehicleWorkflowHost.InformationsApi, ReadParameters), null, CancellationToken.None));

        Assert.Equal(0, error.StatusCode);
    }

    [Fact]
    public async Task A_transient_pims_code_is_a_transient_error_that_names_the_code()
    {
        using ServiceProvider services = Build("local-dev-secret");
        string vin = TestVins.New();
        using var http = new HttpClient { BaseAddress = _simulator!.BaseAddress };
        await new Workflow.VehicleSimulator.Control.VehicleSimulatorControlClient(http).QueueErrorsAsync(vin, VehicleWorkflowHost.InformationsApi, [2377]);

        VehicleApiTransientException error = await Assert.ThrowsAsync<VehicleApiTransientException>(
            () => services.GetRequiredService<VehicleApiClient>().SendAsync(new VehicleApiRequest(vin, VehicleWorkflowHost.InformationsApi, ReadParameters), null, CancellationToken.None));

        Assert.Equal(2377, error.ErrorCode);
        Assert.Contains("2377 \"Broker connexion failed\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remote_commands_are_sent_with_pims_set_and_reads_with_pims_get()
    {
        using ServiceProvider services = Build("local-dev-secret");
        string vin = TestVins.New();
        using var http = new HttpClient { BaseAddress = _simulator!.BaseAddress };
        VehicleApiClient client = services.GetRequiredService<VehicleApiClient>();

        await client.SendAsync(new VehicleApiRequest(vin, VehicleWorkflowHost.CommandApi, System.Text.Json.JsonSerializer.SerializeToElement(VehicleWorkflowHost.Lock)), null, CancellationToken.None);
        await client.SendAsync(new VehicleApiRequest(vin, VehicleWorkflowHost.InformationsApi, ReadParameters), null, CancellationToken.None);

        Assert.Equal(["set", "get"], (await new Workflow.VehicleSimulator.Control.VehicleSimulatorControlClient(http).GetRequestsAsync(vin)).Select(r => r.Verb));
    }

    [Fact]
    public void Requests_and_credentials_never_print_their_secrets()
    {
        var request = new VehicleApiRequest(TestVins.New(), VehicleWorkflowHost.CommandApi, null, Otp: "OTP-SECRET-1");
        var credentials = new VehicleApiCredentials("client", "SECRET-2");

        Assert.DoesNotContain("OTP-SECRET-1", request.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET-2", credentials.ToString(), StringComparison.Ordinal);
    }

    // fakeTime is off when the HTTP pipeline will retry: its delays would run on the fake clock and never end.
    private ServiceProvider Build(string clientSecret, Dictionary<string, string?>? overrides = null, bool fakeTime = true)
    {
        Dictionary<string, string?> settings = VehicleWorkflowHost.BaseSettings(_simulator!.BaseAddress);
        settings["Secrets:" + SecretNames.VehicleApiClientSecret] = clientSecret;
        foreach ((string key, string? value) in overrides ?? [])
        {
            settings[key] = value;
        }

        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton(fakeTime ? _time : TimeProvider.System);
        services.AddSingleton<ISecretStore>(new ConfigurationSecretStore(configuration));
        services.AddVehicleWorkflow(configuration);
        services.ConfigureHttpClientDefaults(b => b.AddHttpMessageHandler(() => new CountingHandler(_counter)));
        return services.BuildServiceProvider();
    }

    private sealed class TokenRequestCounter
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Increment() => Interlocked.Increment(ref _count);
    }

    private sealed class CountingHandler(TokenRequestCounter counter) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath.EndsWith("/v1/token", StringComparison.Ordinal))
            {
                counter.Increment();
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
