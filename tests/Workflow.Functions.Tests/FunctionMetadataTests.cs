using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Workflow.Durable;
using Workflow.Functions.CustomHandler;
using Workflow.Functions.Tests.Support;
using Workflow.Testing;

namespace Workflow.Functions.Tests;

/// <summary>
/// The package's function metadata and the app agree: every HTTP trigger's route and methods are served by the
/// app, every API route of the app has an HTTP trigger, and the queue triggers listen to the runtime's queues.
/// </summary>
public sealed partial class FunctionMetadataTests
{
    private static readonly string FunctionAppFolder = Path.Combine(RepositoryPaths.Root, "functions", "Workflow.Functions", "FunctionApp");

    private static IReadOnlyList<FunctionDefinition> Functions => FunctionAppMetadata.Load(FunctionAppFolder);

    private static IEnumerable<FunctionDefinition> HttpFunctions => Functions.Where(f => f.TriggerType == "httpTrigger");

    [Fact]
    public async Task Every_http_trigger_is_served_by_the_app_with_the_same_route_and_methods()
    {
        IReadOnlyList<(string Route, string[] Methods)> endpoints = await AppEndpointsAsync();

        Assert.NotEmpty(HttpFunctions);
        foreach (FunctionDefinition function in HttpFunctions)
        {
            string route = Normalize(HostRouteToPath(function.Route!));
            string[] served = [.. endpoints.Where(e => Normalize(e.Route) == route).SelectMany(e => e.Methods)];
            Assert.True(served.Length > 0, $"{function.Name}: the app serves no route '{function.Route}'.");
            Assert.All(function.Methods, m => Assert.True(served.Contains(m), $"{function.Name}: the app does not serve {m} {function.Route}."));
        }
    }

    [Fact]
    public async Task Every_api_and_management_route_of_the_app_has_an_http_trigger()
    {
        IReadOnlyList<(string Route, string[] Methods)> endpoints = await AppEndpointsAsync();
        var routes = endpoints.Where(e => e.Route.StartsWith("api/", StringComparison.Ordinal) || e.Route.StartsWith("runtime/webhooks/durabletask", StringComparison.Ordinal)).ToList();

        Assert.Contains(routes, e => e.Route == "api/commands/{id}/pin");
        Assert.Contains(routes, e => e.Route.StartsWith("runtime/webhooks/durabletask/instances", StringComparison.Ordinal));
        foreach ((string route, string[] methods) in routes)
        {
            FunctionDefinition[] triggers = [.. HttpFunctions.Where(f => Normalize(HostRouteToPath(f.Route!)) == Normalize(route))];
            Assert.True(triggers.Length > 0, $"No function.json has an HTTP trigger for '{route}'.");
            Assert.All(methods, m => Assert.True(triggers.Any(t => t.Methods.Contains(m)), $"No HTTP trigger for {m} {route}."));
        }
    }

    [Fact]
    public void Http_triggers_need_a_function_key_and_avoid_the_hosts_reserved_route_prefixes()
    {
        foreach (FunctionDefinition function in HttpFunctions)
        {
            Assert.Equal("function", function.AuthLevel);

            // The host refuses a route whose template starts with "admin" or "runtime", whatever the routePrefix.
            string template = function.Route!.Trim('/').ToLowerInvariant();
            Assert.False(template.StartsWith("admin", StringComparison.Ordinal) || template.StartsWith("runtime", StringComparison.Ordinal), $"{function.Name}: {function.Route}");
            Assert.Equal("req", function.BindingName);
        }
    }

    [Fact]
    public async Task The_host_would_route_each_path_of_the_app_to_the_function_with_that_route()
    {
        // The Functions host matches function routes with ASP.NET Core route templates, constraints included;
        // map the function.json routes the same way on a real Kestrel and see where sample paths land.
        // The full builder: the slim one leaves out the regex route constraint that the host supports.
        WebApplicationBuilder builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using WebApplication router = builder.Build();
        foreach (FunctionDefinition function in HttpFunctions)
        {
            router.MapMethods("/" + function.Route, function.Methods, () => function.Name);
        }

        await router.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(router.Urls.Single()) };
        var samples = new (string Method, string Path, string? Function)[]
        {
            ("POST", "/api/commands", "StartCommand"),
            ("GET", "/api/commands/abc", "GetCommandStatus"),
            ("POST", "/api/commands/abc/pin", "SubmitCommandPin"),
            ("POST", "/runtime/webhooks/durabletask/orchestrators/VehicleCommand", "DurableStartOrchestration"),
            ("POST", "/runtime/webhooks/durabletask/orchestrators/VehicleCommand/my-id", "DurableStartOrchestration"),
            ("GET", "/runtime/webhooks/durabletask/instances", "DurableListInstances"),
            ("GET", "/runtime/webhooks/durabletask/instances/abc", "DurableInstance"),
            ("DELETE", "/runtime/webhooks/durabletask/instances/abc", "DurableInstance"),
            ("POST", "/runtime/webhooks/durabletask/instances/abc/raiseEvent/Pin", "DurableRaiseEvent"),
            ("POST", "/runtime/webhooks/durabletask/instances/abc/terminate", "DurableTerminateInstance"),
            ("GET", "/notruntime/webhooks/durabletask/instances/abc", null),
            ("GET", "/admin/host/status", null),
        };
        foreach ((string method, string path, string? function) in samples)
        {
            using HttpResponseMessage response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
            if (function is null)
            {
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            }
            else
            {
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{method} {path}: {(int)response.StatusCode}");
                Assert.Equal(function, await response.Content.ReadAsStringAsync());
            }
        }

        await router.StopAsync();
    }

    [Fact]
    public async Task The_queue_triggers_listen_to_the_default_task_hubs_queues_and_have_invocation_endpoints()
    {
        await using WebApplication app = await TestApp.BuildAsync(
            TestAppSettings.New(new Uri("http://127.0.0.1:9/")),
            new Dictionary<string, string?> { ["DurableTask:HubName"] = null, ["Functions:ServeInvocations"] = "true" });
        DurableTaskWorker worker = app.Services.GetRequiredService<DurableTaskWorker>();
        IReadOnlyList<(string Route, string[] Methods)> endpoints = Endpoints(app);

        FunctionDefinition control = Assert.Single(Functions, f => f.Name == FunctionNames.ControlQueueTrigger);
        FunctionDefinition workItems = Assert.Single(Functions, f => f.Name == FunctionNames.WorkItemQueueTrigger);
        Assert.Equal("vehiclecommands-control", worker.ControlQueueName);
        Assert.Equal(worker.ControlQueueName, control.QueueName);
        Assert.Equal(worker.WorkItemQueueName, workItems.QueueName);
        foreach (FunctionDefinition queue in new[] { control, workItems })
        {
            Assert.Equal("queueTrigger", queue.TriggerType);
            Assert.Equal("AzureWebJobsStorage", queue.Connection);
            Assert.Equal(FunctionNames.QueueTriggerBinding, queue.BindingName);
            Assert.Contains(endpoints, e => e.Route == queue.Name && e.Methods.SequenceEqual(["POST"]));
        }

        Assert.Equal(2, Functions.Count(f => f.TriggerType == "queueTrigger"));
    }

    [Fact]
    public void Under_the_host_a_package_whose_queues_do_not_match_the_task_hub_refuses_to_start()
    {
        var error = Assert.Throws<InvalidOperationException>(
            () => FunctionMetadataStartupCheck.Check(Functions, FunctionNames.ControlQueueTrigger, "otherhub-control"));

        Assert.Contains("'vehiclecommands-control'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'otherhub-control'", error.Message, StringComparison.Ordinal);
        Assert.Contains("DurableTask__HubName", error.Message, StringComparison.Ordinal);
        FunctionMetadataStartupCheck.Check(Functions, FunctionNames.WorkItemQueueTrigger, "vehiclecommands-workitems");
    }

    [Fact]
    public void Host_json_is_a_custom_handler_with_forwarding_the_bundle_an_empty_route_prefix_and_base64_queues()
    {
        using JsonDocument host = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "host.json")));
        JsonElement root = host.RootElement;

        Assert.Equal("2.0", root.GetProperty("version").GetString());
        JsonElement handler = root.GetProperty("customHandler");
        Assert.Equal("app/Workflow.Functions", handler.GetProperty("description").GetProperty("defaultExecutablePath").GetString());
        Assert.True(handler.GetProperty("enableForwardingHttpRequest").GetBoolean());
        Assert.Equal("Microsoft.Azure.Functions.ExtensionBundle", root.GetProperty("extensionBundle").GetProperty("id").GetString());
        Assert.Equal("[4.*, 5.0.0)", root.GetProperty("extensionBundle").GetProperty("version").GetString());
        JsonElement extensions = root.GetProperty("extensions");
        Assert.Equal(string.Empty, extensions.GetProperty("http").GetProperty("routePrefix").GetString());

        // The runtime writes its queue messages base64-encoded; the trigger must decode them the same way.
        Assert.Equal("base64", extensions.GetProperty("queues").GetProperty("messageEncoding").GetString());
        Assert.Equal(new DurableTaskOptions().MaxDequeueCount, extensions.GetProperty("queues").GetProperty("maxDequeueCount").GetInt32());
    }

    /// <summary>The app's endpoints with their route templates (no leading slash) and methods.</summary>
    internal static async Task<IReadOnlyList<(string Route, string[] Methods)>> AppEndpointsAsync()
    {
        await using WebApplication app = await TestApp.BuildAsync(
            TestAppSettings.New(new Uri("http://127.0.0.1:9/")), new Dictionary<string, string?> { ["Functions:ServeInvocations"] = "true" });
        return Endpoints(app);
    }

    private static IReadOnlyList<(string Route, string[] Methods)> Endpoints(WebApplication app)
        => [.. ((IEndpointRouteBuilder)app).DataSources
            .SelectMany(d => d.Endpoints)
            .OfType<RouteEndpoint>()
            .Select(e => (e.RoutePattern.RawText!.Trim('/'), e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.ToArray() ?? []))];

    /// <summary>The host's route template as the path it matches: the reserved-prefix workaround stands for its only value.</summary>
    private static string HostRouteToPath(string route) => RuntimeSegment().Replace(route, "runtime");

    /// <summary>Parameter names and constraints do not matter for matching, only where parameters are and whether they are optional.</summary>
    private static string Normalize(string route)
        => Parameter().Replace(route.Trim('/'), m => m.Value.EndsWith("?}", StringComparison.Ordinal) ? "{?}" : "{}").ToLowerInvariant();

    [GeneratedRegex(@"^\{runtime:regex\(\^runtime\$\)\}")]
    private static partial Regex RuntimeSegment();

    [GeneratedRegex(@"\{[^{}]*(\([^)]*\))?[^{}]*\}")]
    private static partial Regex Parameter();
}
