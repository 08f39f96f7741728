using System.Text.Json;
using Workflow.Functions.Tests.Support;
using Workflow.Testing;

namespace Workflow.Functions.Tests;

/// <summary>
/// What gets deployed: the output of <c>dotnet publish functions/Workflow.Functions -c Release -r linux-x64</c> (the same
/// publish the host tests run on). The Functions host indexes the worker's functions from <c>functions.metadata</c>, loads
/// the binding extensions from <c>.azurefunctions/</c> and reads <c>host.json</c>.
/// </summary>
public sealed class PackageTests
{
    public static TheoryData<string, string, string?, string?, string?> Functions => new()
    {
        // name, trigger type, HTTP method, route, auth level
        { "StartCommand", "httpTrigger", "post", "commands", "Function" },
        { "GetCommandStatus", "httpTrigger", "get", "commands/{id}", "Function" },
        { "SubmitCommandPin", "httpTrigger", "post", "commands/{id}/pin", "Function" },
        { "VehicleCommand", "orchestrationTrigger", null, null, null },
        { "CallVehicleApi", "activityTrigger", null, null, null },
        { "RequestVehicleOtp", "activityTrigger", null, null, null },
    };

    [Fact]
    public async Task FunctionsMetadataListsExactlyTheAppsSixFunctions()
    {
        using JsonDocument metadata = await ReadMetadataAsync();

        Assert.Equal(
            ["CallVehicleApi", "GetCommandStatus", "RequestVehicleOtp", "StartCommand", "SubmitCommandPin", "VehicleCommand"],
            metadata.RootElement.EnumerateArray().Select(f => f.GetProperty("name").GetString()).Order(StringComparer.Ordinal));
        Assert.All(metadata.RootElement.EnumerateArray(), f =>
        {
            Assert.Equal("dotnet-isolated", f.GetProperty("language").GetString());
            Assert.Equal("Workflow.Functions.dll", f.GetProperty("scriptFile").GetString());
        });
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public async Task FunctionsMetadataGivesEachFunctionItsTriggerRouteAndAuthLevel(string name, string triggerType, string? method, string? route, string? authLevel)
    {
        using JsonDocument metadata = await ReadMetadataAsync();
        JsonElement function = Assert.Single(metadata.RootElement.EnumerateArray(), f => f.GetProperty("name").GetString() == name);
        JsonElement trigger = Assert.Single(
            function.GetProperty("bindings").EnumerateArray(),
            b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));

        Assert.Equal(triggerType, trigger.GetProperty("type").GetString());
        Assert.Equal("In", trigger.GetProperty("direction").GetString());
        if (triggerType == "httpTrigger")
        {
            Assert.Equal(route, trigger.GetProperty("route").GetString());
            Assert.Equal(authLevel, trigger.GetProperty("authLevel").GetString());
            Assert.Equal([method], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));

            // Each HTTP trigger gets the Durable client binding, which the Durable extension serves.
            Assert.Contains(function.GetProperty("bindings").EnumerateArray(), b => b.GetProperty("type").GetString() == "durableClient");
        }
        else
        {
            Assert.False(trigger.TryGetProperty("route", out _));
        }
    }

    [Fact]
    public async Task ThePublishOutputCarriesTheDurableExtensionForTheHost()
    {
        string output = await FunctionAppPublish.GetAsync();

        Assert.True(File.Exists(Path.Combine(output, ".azurefunctions", "Microsoft.Azure.WebJobs.Extensions.DurableTask.dll")));
        using JsonDocument extensions = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "extensions.json")));
        JsonElement durable = Assert.Single(extensions.RootElement.GetProperty("extensions").EnumerateArray(), e => e.GetProperty("name").GetString() == "DurableTask");
        Assert.Equal("./.azurefunctions/Microsoft.Azure.WebJobs.Extensions.DurableTask.dll", durable.GetProperty("hintPath").GetString());
        using JsonDocument worker = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "worker.config.json")));
        Assert.Equal("Workflow.Functions.dll", worker.RootElement.GetProperty("description").GetProperty("defaultWorkerPath").GetString());
    }

    [Fact]
    public async Task ThePublishedHostJsonIsTheRepositorysHostJsonByteForByte()
    {
        string output = await FunctionAppPublish.GetAsync();

        Assert.Equal(
            await File.ReadAllBytesAsync(Path.Combine(RepositoryPaths.Root, "host.json")),
            await File.ReadAllBytesAsync(Path.Combine(output, "host.json")));
    }

    private static async Task<JsonDocument> ReadMetadataAsync()
        => JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(await FunctionAppPublish.GetAsync(), "functions.metadata")));
}
