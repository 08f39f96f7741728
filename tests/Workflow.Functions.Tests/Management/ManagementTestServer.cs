using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Workflow.Durable;
using Workflow.Functions.Management;
using Workflow.Testing;
using Workflow.Vehicles;

namespace Workflow.Functions.Tests.Management;

/// <summary>
/// A minimal app of our own (not the product Program.cs): Kestrel on a free loopback port, the durable runtime on
/// its own task hub in the shared Azurite, a test protector, and nothing mapped but the management API.
/// </summary>
internal sealed class ManagementTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ManagementTestServer(WebApplication app, Uri baseAddress, string hubName)
    {
        _app = app;
        BaseAddress = baseAddress;
        HubName = hubName;
        Http = new HttpClient { BaseAddress = baseAddress };
    }

    /// <summary>Where the app listens, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    public string HubName { get; }

    public HttpClient Http { get; }

    public DurableTaskClient Client => _app.Services.GetRequiredService<DurableTaskClient>();

    public static async Task<ManagementTestServer> StartAsync()
    {
        AzuriteServer azurite = await AzuriteServer.Shared;
        string hubName = "m" + Guid.NewGuid().ToString("N")[..20];

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddDurableTask(r => r
                .AddOrchestrator<EchoOrchestrator>(TestNames.Echo)
                .AddOrchestrator<PinOrchestrator>(TestNames.PinWaiter)
                .AddOrchestrator<FailingOrchestrator>(TestNames.Failing)
                .AddOrchestrator<TimerOrchestrator>(TestNames.Timer)
                .AddOrchestrator<AnyJsonOrchestrator>(TestNames.AnyJson)
                .AddActivity<UpperActivity>(TestNames.Upper)
                .AddActivity<CheckPinActivity>(TestNames.CheckPin)
                .AddActivity<BoomActivity>(TestNames.Boom))
            .Configure(o =>
            {
                o.HubName = hubName;
                o.Storage.ConnectionString = azurite.ConnectionString;
                o.MaxPollingInterval = TimeSpan.FromMilliseconds(100);
            });
        builder.Services.AddSingleton<ISensitiveDataProtector, TestSensitiveDataProtector>();
        builder.Services.AddOpenApi();

        WebApplication app = builder.Build();
        app.MapDurableTaskManagementApi();
        app.MapOpenApi();
        await app.StartAsync();

        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new ManagementTestServer(app, new Uri(address.TrimEnd('/') + "/"), hubName);
    }

    /// <summary>A path under the management API, e.g. <c>Api("instances/abc")</c>.</summary>
    public static string Api(string relative) => "runtime/webhooks/durabletask/" + relative;

    public Task<HttpResponseMessage> PostJsonAsync(string relative, string? json)
    {
        var content = new StringContent(json ?? string.Empty, Encoding.UTF8);
        content.Headers.ContentType = json is null ? null : new MediaTypeHeaderValue("application/json");
        return Http.PostAsync(Api(relative), content);
    }

    public Task<HttpResponseMessage> GetAsync(string relative) => Http.GetAsync(Api(relative));

    /// <summary>Starts an instance through the API and returns its id.</summary>
    public async Task<string> StartAsync(string orchestrator, string? inputJson = null, string? instanceId = null)
    {
        using HttpResponseMessage response = await PostJsonAsync($"orchestrators/{orchestrator}" + (instanceId is null ? string.Empty : "/" + instanceId), inputJson);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        using JsonDocument body = await ReadJsonAsync(response);
        return body.RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>Polls the status endpoint until the instance is in <paramref name="runtimeStatus"/>; returns that status body.</summary>
    public async Task<JsonElement> WaitForStatusAsync(string instanceId, string runtimeStatus, string query = "")
        => await Eventually.GetAsync<object>(
            async () =>
            {
                using HttpResponseMessage response = await GetAsync($"instances/{instanceId}{query}");
                if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
                {
                    return null;
                }

                using JsonDocument body = await ReadJsonAsync(response);
                return body.RootElement.GetProperty("runtimeStatus").GetString() == runtimeStatus ? body.RootElement.Clone() : null;
            },
            $"instance {instanceId} to be {runtimeStatus}") is JsonElement e ? e : default;

    public static async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response)
        => JsonDocument.Parse(await response.Content.ReadAsStringAsync());

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>One server per test class: xunit builds it once and disposes it after the class.</summary>
public sealed class ManagementServerFixture : IAsyncLifetime
{
    private ManagementTestServer? _server;

    internal ManagementTestServer Server => _server ?? throw new InvalidOperationException("The server has not started.");

    public async Task InitializeAsync() => _server = await ManagementTestServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

internal static class TestNames
{
    public const string Echo = "Echo";
    public const string PinWaiter = "PinWaiter";
    public const string Failing = "Failing";
    public const string Timer = "Timer";
    public const string Upper = "Upper";
    public const string CheckPin = "CheckPin";
    public const string Boom = "Boom";
    public const string GoEvent = "Go";
    public const string AnyJson = "AnyJson";
    public const string DataEvent = "Data";
}

/// <summary>Upper-cases its input, publishes a custom status, then waits for the "Go" event.</summary>
internal sealed class EchoOrchestrator : TaskOrchestrator<string?, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, string? input)
    {
        context.SetCustomStatus(new { stage = "waiting" });
        string upper = await context.CallActivityAsync<string>(TestNames.Upper, input ?? string.Empty);
        string go = await context.WaitForExternalEvent<string>(TestNames.GoEvent);
        return $"{upper}:{go}";
    }
}

/// <summary>Waits for the PIN event and lets an activity open it, like the vehicle command does.</summary>
internal sealed class PinOrchestrator : TaskOrchestrator<string?, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, string? input)
    {
        PinSubmission submission = await context.WaitForExternalEvent<PinSubmission>(VehicleCommandNames.PinEvent);
        return await context.CallActivityAsync<string>(TestNames.CheckPin, submission);
    }
}

/// <summary>Takes any JSON value as input, waits for the "Data" event (any JSON value) and returns <c>{"input": …, "data": …}</c>.</summary>
internal sealed class AnyJsonOrchestrator : TaskOrchestrator<JsonNode?, JsonObject>
{
    public override async Task<JsonObject> RunAsync(TaskOrchestrationContext context, JsonNode? input)
    {
        JsonNode? data = await context.WaitForExternalEvent<JsonNode?>(TestNames.DataEvent);
        return new JsonObject { ["input"] = input, ["data"] = data };
    }
}

internal sealed class FailingOrchestrator : TaskOrchestrator<string?, string>
{
    public override Task<string> RunAsync(TaskOrchestrationContext context, string? input)
        => context.CallActivityAsync<string>(TestNames.Boom, input);
}

internal sealed class TimerOrchestrator : TaskOrchestrator<string?, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, string? input)
    {
        await context.CreateTimer(TimeSpan.FromMilliseconds(1), CancellationToken.None);
        return "rang";
    }
}

internal sealed class UpperActivity : TaskActivity<string, string>
{
    public override Task<string> RunAsync(TaskActivityContext context, string input) => Task.FromResult(input.ToUpperInvariant());
}

/// <summary>Opens the sealed PIN and returns its hash, so tests can check the right PIN arrived without the PIN being stored.</summary>
internal sealed class CheckPinActivity(ISensitiveDataProtector protector) : TaskActivity<PinSubmission, string>
{
    public override async Task<string> RunAsync(TaskActivityContext context, PinSubmission input)
        => PinHash(await protector.UnsealAsync(input.SealedPin, context.CancellationToken));

    public static string PinHash(string pin) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(pin)));
}

internal sealed class BoomActivity : TaskActivity<string?, string>
{
    public override Task<string> RunAsync(TaskActivityContext context, string? input) => throw new InvalidOperationException("boom: " + input);
}

/// <summary>A reversible, obviously-not-clear seal: the secret XOR-ed and base64-encoded behind a marker.</summary>
internal sealed class TestSensitiveDataProtector : ISensitiveDataProtector
{
    public const string Prefix = "test-sealed:";

    public ValueTask<string> SealAsync(string secret, CancellationToken cancellationToken)
        => ValueTask.FromResult(Prefix + Convert.ToBase64String(Xor(Encoding.UTF8.GetBytes(secret))));

    public ValueTask<string> UnsealAsync(string sealedSecret, CancellationToken cancellationToken)
        => sealedSecret.StartsWith(Prefix, StringComparison.Ordinal)
            ? ValueTask.FromResult(Encoding.UTF8.GetString(Xor(Convert.FromBase64String(sealedSecret[Prefix.Length..]))))
            : throw new CryptographicException("Not sealed by this protector.");

    private static byte[] Xor(byte[] bytes) => bytes.Select(b => (byte)(b ^ 0x5A)).ToArray();
}
