using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Workflow.Azurite;
using Workflow.LocalHost.Security;
using Workflow.VehicleSimulator;

namespace Workflow.LocalHost.LocalStack;

/// <summary>
/// Prints, once the app listens, what a new user needs: the URLs, the local function key and a
/// copy-paste curl demo of the strong-authentication flow (2302, then the PIN). Development only.
/// </summary>
internal sealed class DemoBanner(DemoBanner.Stack stack, IServer server, IHostApplicationLifetime lifetime, FunctionKeys keys) : BackgroundService
{
    /// <summary>What the local stack started.</summary>
    /// <param name="Azurite">Azurite's ports, when the local stack started it.</param>
    /// <param name="Simulator">The in-process simulator's address, when it runs.</param>
    internal sealed record Stack(AzuritePorts? Azurite, Uri? Simulator);

    /// <summary>A VIN for the demo: 17 characters without I, O or Q.</summary>
    public const string DemoVin = "VF7ABCDEFGH000001";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            await started.Task.ConfigureAwait(false);
        }

        string baseUrl = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()?.TrimEnd('/') ?? "http://127.0.0.1:7071";
        (string key, _) = await keys.GetAsync(stoppingToken).ConfigureAwait(false);
        await Console.Out.WriteAsync(Render(baseUrl, key, stack)).ConfigureAwait(false);
        await Console.Out.FlushAsync(stoppingToken).ConfigureAwait(false);
    }

    internal static string Render(string baseUrl, string key, Stack stack)
    {
        string pin = new VehicleSimulatorOptions().DefaultPin;
        var text = new StringBuilder();
        text.AppendLine();
        text.AppendLine("Vehicle command workflow: local stack (Development)");
        text.AppendLine($"  App              {baseUrl}");
        text.AppendLine($"  Function key     {key}   (header x-functions-key, or ?code=)");
        text.AppendLine(stack.Simulator is { } simulator
            ? $"  Vehicle API      {simulator.AbsoluteUri.TrimEnd('/')}   (in-process simulator; every vehicle's PIN is {pin})"
            : "  Vehicle API      VehicleApi:BaseUrl as configured");
        text.AppendLine(stack.Azurite is { } azurite
            ? $"  Storage          Azurite in memory on 127.0.0.1: {azurite}"
            : "  Storage          as configured (AzureWebJobsStorage)");
        text.AppendLine();
        text.AppendLine("Try the strong-authentication flow: lock the doors (pims.vehicle.command, action doors); the vehicle answers 2302,");
        text.AppendLine("the command waits for the PIN, then completes.");
        text.AppendLine("Paste into a shell (bash or zsh):");
        text.AppendLine();
        text.AppendLine($"  BASE={baseUrl}; KEY={key}; ID=demo-$(date +%s)");
        text.AppendLine("  status() { curl -s \"$BASE/api/commands/$ID\" -H \"x-functions-key: $KEY\" \"$@\"; }");
        text.AppendLine("  RESPONSE=$(curl -s -X POST \"$BASE/api/commands\" -H \"x-functions-key: $KEY\" -H 'Content-Type: application/json' \\");
        text.AppendLine($"    -d '{{\"vin\":\"{DemoVin}\",\"api\":\"pims.vehicle.command\",\"parameters\":{{\"action\":\"doors\",\"doorState\":\"lock\"}},\"instanceId\":\"'$ID'\"}}'); echo \"$RESPONSE\"");
        // The link is relative unless Commands:PublicBaseUrl is set.
        text.AppendLine("  PIN_URI=$(printf '%s' \"$RESPONSE\" | sed -n 's/.*\"pinPostUri\":\"\\([^\"]*\\)\".*/\\1/p'); case $PIN_URI in /*) PIN_URI=$BASE$PIN_URI;; esac");
        text.AppendLine("  for i in $(seq 60); do status | grep -q '\"AwaitingPin\"' && break; sleep 0.5; done");
        text.AppendLine("  status; echo   # vehicle said 2302: customStatus.stage AwaitingPin, pinAttemptsLeft, pinDeadline");
        text.AppendLine($"  curl -s -X POST \"$PIN_URI\" -H \"x-functions-key: $KEY\" -H 'Content-Type: application/json' -d '{{\"pin\":\"{pin}\"}}'; echo");
        text.AppendLine("  for i in $(seq 60); do [ \"$(status -o /dev/null -w '%{http_code}')\" = 200 ] && break; sleep 0.5; done");
        text.AppendLine("  status; echo   # runtimeStatus Completed, output.outcome Succeeded");
        text.AppendLine();
        return text.ToString();
    }
}
