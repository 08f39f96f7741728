using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Workflow.Durable;
using Workflow.Functions.Tests.Support;
using Workflow.Testing;
using Workflow.VehicleSimulator.Control;
using Workflow.VehicleSimulator.State;
using Workflow.VehicleSimulator;

namespace Workflow.Functions.Tests;

/// <summary>
/// Issue #5: neither a PIN nor an OTP is ever stored or logged in clear. Strong-authentication commands run
/// with random PINs on an Azurite of their own; then everything in that account is read back and searched,
/// together with every request the app sent to storage and every log line.
/// </summary>
/// <remarks>
/// What is covered, and how:
/// <list type="bullet">
/// <item>At rest, by enumerating the whole account (<see cref="StorageScanner"/>): every entity of every table,
/// every blob, every queue message that a receive hands out.</item>
/// <item>Queue messages that are invisible at scan time cannot be read through any API: durable timers (the PIN
/// deadline of every command) stay invisible until due, and so do messages a worker had received when it stopped.
/// The outbox does not help either: its rows are deleted once dispatched. So a pipeline policy on the app's
/// storage clients (<see cref="StorageWireTap"/>) records every request body when it is sent: the invisible
/// messages, the deleted outbox rows and everything else. The test checks the tap has no blind spot: every
/// message found at rest is one it recorded, and it saw at least as many messages as the queues hold.</item>
/// <item>Logs: every line of the app (at Trace level) and of the simulator.</item>
/// </list>
/// Every search is also run for the command ids, which are stored in clear: it must find them in each place,
/// so a search that finds no secret is known to be able to find one.
/// </remarks>
public sealed class SecretsAtRestScanTests
{
    private const string OtpApi = "pims.authentication.otp";

    private static readonly Dictionary<string, string?> TraceLogging = new()
    {
        ["Logging:LogLevel:Default"] = "Trace",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
        ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Trace",
        ["Logging:LogLevel:Azure.Core"] = "Trace",
        ["Logging:LogLevel:Polly"] = "Trace",
    };

    // An app that takes requests and runs the steps they trigger inline, but takes nothing off its queues:
    // the work items its steps dispatch stay there, visible.
    private static readonly Dictionary<string, string?> NoQueueWorkers = new(TraceLogging)
    {
        ["DurableTask:UseQueueListeners"] = "false",
    };

    [Fact]
    public async Task No_pin_or_otp_is_in_storage_in_what_the_app_sent_to_storage_or_in_any_log()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using AzuriteServer azurite = await AzuriteServer.StartAsync(timeout.Token);
        var simulatorLogs = new CapturedLogs();
        using ILoggerFactory simulatorLogging = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(simulatorLogs));
        await using VehicleSimulatorServer simulator = await VehicleSimulatorServer.StartAsync(
            new VehicleSimulatorOptions { DefaultPin = Pins.New(), LoggerFactory = simulatorLogging }, timeout.Token);
        using var simulatorHttp = new HttpClient { BaseAddress = simulator.BaseAddress };
        var control = new VehicleSimulatorControlClient(simulatorHttp);
        var tap = new StorageWireTap();
        TestAppSettings settings = TestAppSettings.New(simulator.BaseAddress) with { StorageConnectionString = azurite.ConnectionString };

        // Every branch of the PIN dance, with the queue workers running.
        Command[] finishedOrWaiting;
        Command pinInFlight;
        CapturedLogs appLogs;
        await using (TestApp app = await StartAppAsync(settings, tap, TraceLogging))
        {
            appLogs = app.Logs;
            var api = new CommandsApi(app);
            Task<Command> awaitingItsPin = AwaitsItsPinAsync(api, control, timeout.Token);
            finishedOrWaiting = await Task.WhenAll(
                SucceedsWithTheRightPinAsync(api, control, timeout.Token),
                SucceedsAfterAWrongPinAsync(api, control, timeout.Token),
                SucceedsAfterAResetStepAsync(api, control, timeout.Token),
                AwaitsAnotherPinAfterAWrongOneAsync(api, control, timeout.Token));
            pinInFlight = await awaitingItsPin;
        }

        // The last command gets its PIN from an app without queue workers: the OTP request's work item (with the
        // sealed PIN) stays in the queue, visible, for the scan to read.
        CapturedLogs noWorkerLogs;
        await using (TestApp noWorkers = await StartAppAsync(settings, tap, NoQueueWorkers))
        {
            noWorkerLogs = noWorkers.Logs;
            var api = new CommandsApi(noWorkers);
            await pinInFlight.SendPinAsync(api, pinInFlight.Pin);
            await api.WaitForStageAsync(pinInFlight.StatusPath, "RequestingOtp");
        }

        Command[] commands = [.. finishedOrWaiting, pinInFlight];
        IReadOnlyList<IssuedOtp> otps = await control.GetOtpsAsync(cancellationToken: timeout.Token);
        Assert.True(otps.Count >= 3, $"The three successful commands each needed an OTP; the simulator issued {otps.Count}.");

        // Both apps have stopped: nothing changes under the scan, and no worker competes with it for messages.
        StorageScan scan = await StorageScanner.ScanAsync(azurite.ConnectionString, timeout.Token);
        var atRest = new SecretSearch(scan.Items);
        var sentToStorage = new SecretSearch(tap.Requests);
        var logs = new SecretSearch([.. LogLines("app", appLogs), .. LogLines("app without queue workers", noWorkerLogs), .. LogLines("simulator", simulatorLogs)]);

        // The scan is not hollow: rows, blobs (the large command's payloads), and messages both readable and invisible.
        Assert.True(scan.Entities > 0 && scan.Blobs > 0, $"Scanned {scan.Tables} tables / {scan.Entities} entities, {scan.Containers} containers / {scan.Blobs} blobs.");
        Assert.True(scan.MessagesRead > 0, "No queue message was readable at scan time.");
        Assert.True(scan.MessagesInvisible > 0 && tap.DelayedMessages > 0, $"Expected invisible timers: {scan.MessagesInvisible} invisible at rest, {tap.DelayedMessages} sent delayed.");
        HashSet<string> sentMessages = [.. tap.SentMessages];
        Assert.All(scan.Items.Where(i => i.Source == ScanSource.Queue), m => Assert.Contains(m.Text, sentMessages));
        Assert.True(tap.SentMessages.Count >= scan.MessagesRead + scan.MessagesInvisible, $"The tap saw {tap.SentMessages.Count} messages sent; the queues hold {scan.MessagesRead + scan.MessagesInvisible}.");

        // Positive control: the command ids, stored in clear, are found in every kind of place, queue messages once decoded.
        List<Sighting> ids = [.. commands.SelectMany(c => atRest.Find(c.InstanceId))];
        Assert.Contains(ids, s => s.Item.Source == ScanSource.Table);
        Assert.Contains(ids, s => s.Item.Source == ScanSource.Blob);
        Assert.Contains(ids, s => s.Item.Source == ScanSource.Queue && s.Layer.Contains("base64-decoded", StringComparison.Ordinal) && s.Encoding == "in clear");
        Assert.Contains(commands, c => sentToStorage.Find(c.InstanceId).Count > 0);
        Assert.Contains(commands, c => logs.Find(c.InstanceId).Count > 0);

        // The point: no PIN (right or wrong) and no OTP, anywhere, in any encoding.
        var secrets = new List<(string Name, string Value)>();
        foreach (Command command in commands)
        {
            secrets.Add(($"PIN of {command.InstanceId}", command.Pin));
            secrets.Add(($"wrong PIN of {command.InstanceId}", command.WrongPin));
        }

        secrets.AddRange(otps.Select(o => ($"OTP issued for {o.Vin} at {o.IssuedAt:O}", o.Otp)));
        string[] leaks =
        [
            .. from secret in secrets
               from sighting in atRest.Find(secret.Value).Concat(sentToStorage.Find(secret.Value)).Concat(logs.Find(secret.Value))
               group sighting by (secret.Name, sighting.Item) into place
               select $"{place.Key.Name}: {place.Key.Item.Source} {place.Key.Item.Where} ({string.Join("; ", place.Select(s => $"{s.Layer}, {s.Encoding}"))})",
        ];
        Assert.True(leaks.Length == 0, "Secrets found:\n" + string.Join('\n', leaks));
    }

    [Fact]
    public void The_search_finds_a_value_in_clear_as_hex_inside_base64_at_any_offset_nested_and_in_binary_properties()
    {
        const string Value = "48213906";
        string json = $$"""{"pin":"{{Value}}"}""";
        string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
        ScannedText[] items =
        [
            new(ScanSource.Log, "clear", $"PIN {Value} accepted"),
            new(ScanSource.Log, "hex", Convert.ToHexString(Encoding.UTF8.GetBytes(json))),
            new(ScanSource.Queue, "base64 at offset 0", Base64(Value)),
            new(ScanSource.Queue, "base64 at offset 1", "prefix" + Base64("x" + Value)),
            new(ScanSource.Queue, "base64 at offset 2", Base64("xy" + json).Replace('+', '-').Replace('/', '_').TrimEnd('=')),
            new(ScanSource.Queue, "base64 of JSON in base64", Base64($$"""{"payload":"{{Base64(json)}}"}""")),
            new(ScanSource.Table, "utf-16", SecretSearch.AsText(Encoding.Unicode.GetBytes(json))),
            new(ScanSource.Table, "another value", Base64("{\"pin\":\"48213960\"}") + " 4821390 " + Base64("4821-3906")),
        ];

        var search = new SecretSearch(items);

        Assert.Equal(items.Select(i => i.Where).SkipLast(1), search.Find(Value).Select(s => s.Item.Where).Distinct());
    }

    private static Task<TestApp> StartAppAsync(TestAppSettings settings, StorageWireTap tap, Dictionary<string, string?> overrides)
        => TestApp.StartAsync(
            settings,
            overrides,
            builder => builder.Services.Configure<DurableTaskOptions>(o => o.Storage.AdditionalPolicies.Add(tap)));

    private static IEnumerable<ScannedText> LogLines(string source, CapturedLogs logs)
        => logs.Lines.Select((line, index) => new ScannedText(ScanSource.Log, $"{source} log line {index}", line));

    /// <summary>Large parameters push the input, the activity inputs and the output past the inline limit, into payload blobs.</summary>
    private static async Task<Command> SucceedsWithTheRightPinAsync(CommandsApi api, VehicleSimulatorControlClient simulator, CancellationToken cancellationToken)
    {
        Command command = await Command.StartAsync(api, simulator, $$"""{"action":"lock","note":"{{new string('n', 30_000)}}"}""", cancellationToken);
        await command.SendPinAsync(api, command.Pin);
        await command.WaitForSuccessAsync(api);
        return command;
    }

    private static async Task<Command> SucceedsAfterAWrongPinAsync(CommandsApi api, VehicleSimulatorControlClient simulator, CancellationToken cancellationToken)
    {
        Command command = await Command.StartAsync(api, simulator, cancellationToken: cancellationToken);
        await command.SendPinAsync(api, command.WrongPin);
        await api.WaitForRejectedPinAsync(command.StatusPath);
        await command.SendPinAsync(api, command.Pin);
        await command.WaitForSuccessAsync(api);
        return command;
    }

    /// <summary>
    /// The first OTP request fails with 2317, which leaves the simulator's step cache stale: every later OTP request
    /// fails the same way unless it says <c>resetStep: true</c>, so success proves the app repeated it so.
    /// </summary>
    private static async Task<Command> SucceedsAfterAResetStepAsync(CommandsApi api, VehicleSimulatorControlClient simulator, CancellationToken cancellationToken)
    {
        Command command = await Command.StartAsync(api, simulator, cancellationToken: cancellationToken);
        await simulator.QueueErrorsAsync(command.Vin, OtpApi, [2317], cancellationToken);
        await command.SendPinAsync(api, command.Pin);
        await command.WaitForSuccessAsync(api);
        return command;
    }

    /// <summary>Left waiting with a rejected PIN in its history and its PIN deadline timer pending.</summary>
    private static async Task<Command> AwaitsAnotherPinAfterAWrongOneAsync(CommandsApi api, VehicleSimulatorControlClient simulator, CancellationToken cancellationToken)
    {
        Command command = await Command.StartAsync(api, simulator, cancellationToken: cancellationToken);
        await command.SendPinAsync(api, command.WrongPin);
        await api.WaitForRejectedPinAsync(command.StatusPath);
        return command;
    }

    private static Task<Command> AwaitsItsPinAsync(CommandsApi api, VehicleSimulatorControlClient simulator, CancellationToken cancellationToken)
        => Command.StartAsync(api, simulator, cancellationToken: cancellationToken);

    /// <summary>
    /// Random PINs. Eight digits, the longest allowed: a shorter PIN would turn up by chance in timestamps,
    /// sequence numbers and the like (a given 4-digit string is in almost any page of them), while a given
    /// 8-digit one matches a random digit position with odds of 1 in 10^8.
    /// </summary>
    private static class Pins
    {
        public static string New() => RandomNumberGenerator.GetString("0123456789", 8);

        public static string OtherThan(string pin)
        {
            string other = New();
            return other == pin ? OtherThan(pin) : other;
        }
    }

    /// <summary>A command under test: its vehicle (with its own random PIN at the simulator), its links, and a wrong PIN to type.</summary>
    private sealed record Command(string Vin, string InstanceId, string StatusPath, string PinPath, string Pin, string WrongPin)
    {
        /// <summary>Starts a command (links kept as paths: they work on any app of the same hub) and waits until it asks for the PIN.</summary>
        public static async Task<Command> StartAsync(CommandsApi api, VehicleSimulatorControlClient simulator, string parameters = "{}", CancellationToken cancellationToken = default)
        {
            string vin = TestVins.New();
            string pin = Pins.New();
            await simulator.SetPinAsync(vin, pin, cancellationToken);
            string id = "scan-" + Guid.NewGuid().ToString("N");
            JsonElement started = await api.StartAsync(CommandsApi.Body(vin, instanceId: id, parameters: parameters));
            var command = new Command(
                vin,
                id,
                new Uri(started.GetProperty("statusQueryGetUri").GetString()!).PathAndQuery,
                new Uri(started.GetProperty("pinPostUri").GetString()!).PathAndQuery,
                pin,
                Pins.OtherThan(pin));
            await api.WaitForStageAsync(command.StatusPath, "AwaitingPin");
            return command;
        }

        public async Task SendPinAsync(CommandsApi api, string pin)
        {
            using HttpResponseMessage response = await api.PostPinAsync(PinPath, pin);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        public async Task WaitForSuccessAsync(CommandsApi api)
        {
            JsonElement finished = await api.WaitForFinishedAsync(StatusPath);
            Assert.Equal("Succeeded", finished.GetProperty("output").GetProperty("outcome").GetString());
        }
    }
}
