using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Workflow.Functions.Tests.Support;
using Workflow.Testing.Vins;
using Workflow.VehicleSimulator.State;
using Xunit.Abstractions;

namespace Workflow.Functions.Tests;

/// <summary>
/// No PIN, OTP, command parameter, gateway client secret, data key or host key is ever stored, sent to storage, printed or answered
/// in clear, under the Functions host (the parameters only in the status answers to the command's own caller). Strong
/// authentication commands run with random PINs on a host of their own (<see cref="SecretsScanHostFixture"/>: its own
/// Azurite behind a recording tap, its own simulator, every log level on); then the host is stopped and everything is
/// read back and searched for every PIN typed, every OTP the simulator issued, each command's parameters as sent, the
/// gateway's client secret, the data key and the host's keys, in clear, hex, base64 or base64url.
/// </summary>
/// <remarks>
/// What is searched:
/// <list type="bullet">
/// <item>At rest, by enumerating the whole account (<see cref="StorageScanner"/>): every entity of every table (the task
/// hub's Instances, History and Partitions, the app's <c>VehiclePinAttempts</c>, any other), every queue message a receive
/// hands out (control queues, work-item queue, any other), every blob of every container (<c>&lt;hub&gt;-largemessages</c>,
/// <c>azure-webjobs-hosts</c>, any other), gzip content decompressed.</item>
/// <item>Queue messages are only readable once visible. The host is stopped before the scan (no one else receives), and the
/// scan keeps receiving until every queue's count is read or the last timer the tap saw sent is due (a bounded wait):
/// the PIN deadline timers, still pending after each command ended, are read at rest.</item>
/// <item>Storage traffic (<see cref="StorageWireTap"/>): every request and response between the host (and its worker) and
/// storage, bodies included. That covers what the end state no longer holds: queue messages processed and deleted (the
/// PIN event, the activity work items and their results), Instances rows overwritten since (custom status while waiting),
/// and any message still invisible at the end of the wait. The test checks the tap has no gap: every message found at rest
/// is one it saw sent.</item>
/// <item>Logs: every line the host printed (its worker's output goes through it), and every file the host and the worker
/// wrote under their TMPDIR (the host's log files).</item>
/// <item>Responses: every answer of the product API to this test.</item>
/// </list>
/// Each search is also run for the instance ids (and, for the lockout table, the VINs), which the engine stores in clear
/// whatever the payload converter does: found in each place, they prove that a search which finds no secret could have
/// found one there. Not searched: the test's own PIN requests (they carry the PIN by design), the simulator's memory and
/// logs, and traces (the app exports none; this host build has no Application Insights, so its logs are all it emits).
/// </remarks>
public sealed class SecretsAtRestScanTests(SecretsScanHostFixture fixture, ITestOutputHelper output) : IClassFixture<SecretsScanHostFixture>
{
    private const string OtpApi = "pims.authentication.otp";

    /// <summary>Remote commands (<c>pims.set</c>), which need strong authentication.</summary>
    private const string CommandApi = "pims.vehicle.command";

    /// <summary>The product API's body limit (<c>Workflow.Api.Http.JsonBody.MaxBytes</c>).</summary>
    private const int ApiBodyLimit = 64 * 1024;

    /// <summary>Larger than the most DTFx keeps inline in a queue message (45 KB) or a table property (60 KB of UTF-16).</summary>
    private const int LargeParametersBytes = 62 * 1024;

    private static readonly TimeSpan TestTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task NoPinOtpParametersOrSecretIsInStorageInStorageTrafficInTheHostsOutputOrFilesOrInApiResponses()
    {
        var clock = Stopwatch.StartNew();
        using var timeout = new CancellationTokenSource(TestTimeout);
        var recorder = new ResponseRecorder();
        using var commands = new CommandsClient(recorder.CreateClient(fixture.BaseAddress, fixture.FunctionKey), () => fixture.Host.Output);

        // Every branch of the PIN dance, at the same time: the right PIN, a wrong one then the right one, an OTP request
        // refused with 2317 then repeated with resetStep, and parameters large enough for the engine to offload to blobs.
        Task<Command[]> running = Task.WhenAll(
            RunAsync(commands, new { action = "doors", doorState = "lock" }, wrongPins: 0, resetStep: false),
            RunAsync(commands, new { action = "horn" }, wrongPins: 1, resetStep: false),
            RunAsync(commands, new { action = "warning" }, wrongPins: 0, resetStep: true),
            RunAsync(commands, LargePreconditioning(), wrongPins: 0, resetStep: false, large: true));
        Command[] done;
        try
        {
            done = await running;
        }
        catch (Exception) when (WriteHostOutput())
        {
            throw;
        }

        Command large = done[3];
        TimeSpan commandsTook = clock.Elapsed;

        // The simulator issued one OTP per command (none for the request refused with 2317); the test reads them back.
        IReadOnlyList<IssuedOtp> otps = await fixture.SimulatorControl.GetOtpsAsync(cancellationToken: timeout.Token);
        Assert.All(done, c => Assert.Single(otps, o => o.Vin == c.Vin));
        Assert.Equal(done.Length, otps.Count);

        // The host and its worker stop: nothing changes under the scan and nothing competes with it for messages.
        await fixture.Host.StopAsync();
        Assert.Empty(fixture.Host.GroupProcessIds());
        StorageTraffic traffic = fixture.Tap.Read();
        DateTimeOffset lastTimerDue = traffic.LastDelayedMessageDue ?? DateTimeOffset.UtcNow;
        DateTimeOffset waitUntil = Min(lastTimerDue + TimeSpan.FromSeconds(3), DateTimeOffset.UtcNow + fixture.PinTimeout + TimeSpan.FromSeconds(10));
        StorageScan scan = await StorageScanner.ScanAsync(fixture.Azurite.ConnectionString, waitUntil, timeout.Token);

        string[] outputLines = fixture.Host.FullOutput.Split('\n');
        ScannedText[] hostOutput = [.. outputLines.Select((line, i) => new ScannedText(ScanSource.HostOutput, $"host output line {i + 1}", line))];
        ScannedText[] hostFiles = [.. FilesUnder(fixture.HostDirectory)];
        var search = new SecretSearch([.. scan.Items, .. traffic.Exchanges, .. hostOutput, .. hostFiles, .. recorder.Responses]);
        TimeSpan searchBuilt = clock.Elapsed;

        string hub = fixture.HubName;
        string largeMessages = hub.ToLowerInvariant() + "-largemessages";
        output.WriteLine(
            $"Commands done in {commandsTook.TotalSeconds:F1} s; scanned {scan.Tables.Count} tables ({string.Join(", ", scan.Tables)}), {scan.Entities} entities; "
            + $"{scan.Queues.Count} queues ({string.Join(", ", scan.Queues.Select(q => $"{q.Name}: {q.Read} read, {q.StillInvisible} invisible"))}); "
            + $"{scan.Containers.Count} containers ({string.Join(", ", scan.Containers)}), {scan.Blobs.Count} blobs; traffic {traffic.Connections} connections, "
            + $"{traffic.Requests} requests, {traffic.Responses} responses, {traffic.Bytes} bytes, {traffic.SentMessages.Count} messages sent "
            + $"({traffic.SentMessages.Count(m => m.VisibilityDelay > TimeSpan.Zero)} delayed); {outputLines.Length} host output lines ({fixture.Host.FullOutput.Length} chars), "
            + $"{hostFiles.Length} host files, {recorder.Responses.Count} API responses; {search.LayerCount} texts searched; built in {searchBuilt.TotalSeconds:F1} s.");

        // The scan is not hollow: the hub's tables and blobs, the timers at rest, the large command's payload blobs.
        Assert.Contains(hub + "Instances", scan.Tables);
        Assert.Contains(hub + "History", scan.Tables);
        Assert.Contains("VehiclePinAttempts", scan.Tables);
        Assert.Contains(scan.Queues, q => q.Name == hub.ToLowerInvariant() + "-workitems");
        Assert.Contains(scan.Queues, q => q.Name.StartsWith(hub.ToLowerInvariant() + "-control-", StringComparison.Ordinal));
        Assert.Contains(largeMessages, scan.Containers);
        Assert.Contains(scan.Blobs, b => b.StartsWith($"{largeMessages}/{large.InstanceId}/", StringComparison.Ordinal));
        Assert.True(scan.MessagesRead > 0, "No queue message was readable at rest: the PIN deadline timers should have been.");

        // One deadline timer per PIN round (five rounds), each sent delayed, then read at rest once due.
        int pinRounds = done.Sum(c => 1 + c.WrongPins.Count);
        Assert.True(
            traffic.SentMessages.Count(m => m.VisibilityDelay > TimeSpan.Zero) >= pinRounds,
            $"Expected at least {pinRounds} delayed messages (PIN deadline timers); the tap saw {traffic.SentMessages.Count(m => m.VisibilityDelay > TimeSpan.Zero)}.");

        // The tap has no gap: it recorded everything, parsed everything, and every message at rest is one it saw sent.
        Assert.False(fixture.Tap.Overflowed, $"The tap stopped recording past {StorageWireTap.MaxRecordedBytes} bytes.");
        Assert.Empty(traffic.Unparsed);
        HashSet<string> sentMessages = [.. traffic.SentMessages.Select(m => m.Text)];
        Assert.All(scan.Items.Where(i => i.Source == ScanSource.Queue), m => Assert.Contains(m.Text, sentMessages));
        Assert.True(
            traffic.SentMessages.Count >= scan.MessagesRead + scan.MessagesStillInvisible,
            $"The tap saw {traffic.SentMessages.Count} messages sent; the queues hold {scan.MessagesRead + scan.MessagesStillInvisible}.");
        Assert.False(fixture.Host.OutputTruncated, "The host printed more than the capture keeps: the oldest lines were not searched.");

        // Positive control: the instance ids, which the engine never converts (names, ids and failure messages stay in clear
        // whatever the payload converter does), are found in every place searched; and so are the VINs where the app keys
        // rows by them. Payload contents are no control: a protecting converter may seal them all.
        IReadOnlyList<Sighting> controls = search.FindAll([.. done.Select(c => ($"instance {c.InstanceId}", c.InstanceId)), .. done.Select(c => ($"VIN {c.Vin}", c.Vin))]);
        bool Seen(Command command, Func<Sighting, bool> where) => controls.Any(s => s.Name == $"instance {command.InstanceId}" && where(s));
        bool SeenVin(Command command, Func<Sighting, bool> where) => controls.Any(s => s.Name == $"VIN {command.Vin}" && where(s));
        Assert.All(done, c => Assert.True(Seen(c, s => s.Item.Where.StartsWith($"table {hub}Instances,", StringComparison.Ordinal)), $"{c.InstanceId} not found in {hub}Instances."));
        Assert.All(done, c => Assert.True(Seen(c, s => s.Item.Where.StartsWith($"table {hub}History,", StringComparison.Ordinal)), $"{c.InstanceId} not found in {hub}History."));
        // The app's lockout rows are keyed by VIN and deleted once the right PIN clears them: seen on their way to storage.
        Assert.All(done, c => Assert.True(
            SeenVin(c, s => s.Item.Source == ScanSource.StorageTraffic && s.Item.Where.Contains("/VehiclePinAttempts", StringComparison.Ordinal)),
            $"{c.Vin} not found in the requests to the VehiclePinAttempts table."));
        Assert.Contains(controls, s => s.Item.Source == ScanSource.Queue && s.Name.StartsWith("instance ", StringComparison.Ordinal));
        Assert.True(
            Seen(large, s => s.Item.Where.StartsWith($"blob {largeMessages}/", StringComparison.Ordinal) && s.Item.Where.EndsWith("(gunzipped)", StringComparison.Ordinal)),
            $"The large command's id was not found in the decompressed content of a {largeMessages} blob.");
        Assert.True(
            Seen(large, s => s.Item.Source == ScanSource.StorageTraffic && s.Item.Where.EndsWith("(gunzipped body)", StringComparison.Ordinal)),
            $"The large command's id was not found in a decompressed blob upload.");
        Assert.All(done, c => Assert.True(Seen(c, s => s.Item.Source == ScanSource.StorageTraffic), $"{c.InstanceId} not found in the storage traffic."));
        Assert.All(done, c => Assert.True(Seen(c, s => s.Item.Source == ScanSource.HostOutput), $"{c.InstanceId} not found in the host's output."));
        Assert.Contains(controls, s => s.Item.Source == ScanSource.HostFile && s.Name.StartsWith("instance ", StringComparison.Ordinal));
        Assert.All(done, c => Assert.True(Seen(c, s => s.Item.Source == ScanSource.ApiResponse), $"{c.InstanceId} not found in the API's responses."));

        // The point: no PIN (right or wrong), no OTP, no command parameters, no key or gateway secret, anywhere, in any encoding.
        var secrets = new List<(string Name, string Value)>
        {
            ("the gateway's client secret", fixture.GatewayClientSecret),
            ("the data-protection key", fixture.DataKey),
            (HostKey("the Durable system key"), fixture.DurableSystemKey),
            (HostKey("the master key"), fixture.MasterKey),
            (HostKey("the function key"), fixture.FunctionKey),
        };
        foreach (Command command in done)
        {
            secrets.Add(($"PIN of {command.Vin} ({command.InstanceId})", command.Pin));
            secrets.AddRange(command.WrongPins.Select(w => ($"wrong PIN typed for {command.Vin} ({command.InstanceId})", w)));
            secrets.Add((ParametersOf(command), command.Parameters));
        }

        secrets.AddRange(otps.Select(o => ($"OTP issued for {o.Vin} at {o.IssuedAt:O}", o.Otp)));
        // The status route shows the caller its own command, parameters included: only there may they be in clear (and
        // that they are found there proves the search would find them anywhere else). The host keeps its keys in its own
        // key store (keys/ under its folder here, a blob container in Azure): only there may they be.
        IReadOnlyList<Sighting> sightings = search.FindAll(secrets);
        Assert.All(done, c => Assert.Contains(sightings, s => s.Name == ParametersOf(c) && s.Item.Source == ScanSource.ApiResponse));
        string[] leaks =
        [
            .. from sighting in sightings
               where !(sighting.Item.Source == ScanSource.ApiResponse && done.Any(c => sighting.Name == ParametersOf(c)))
               where !(sighting.Name.StartsWith(HostKey(string.Empty), StringComparison.Ordinal) && sighting.Item.Source == ScanSource.HostFile
                   && sighting.Item.Where.StartsWith("file keys/", StringComparison.Ordinal))
               group sighting by (sighting.Name, sighting.Item) into place
               select $"{place.Key.Name}: {place.Key.Item.Source} {place.Key.Item.Where} ({string.Join("; ", place.Select(s => $"{s.Layer}, {s.Encoding}").Distinct())})",
        ];
        output.WriteLine($"Searched for {secrets.Count} secrets in {clock.Elapsed.TotalSeconds:F1} s in all.");
        Assert.True(leaks.Length == 0, $"DEFECT: secrets found in {leaks.Length} places:\n" + string.Join('\n', leaks.Take(200)));
    }

    [Fact]
    public void TheSearchFindsAValueInClearAsHexInsideBase64AtAnyOffsetNestedEscapedGzippedAndInBinaryProperties()
    {
        const string Value = "48213906";
        string json = $$"""{"pin":"{{Value}}"}""";
        static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
        static byte[] Gzip(string text)
        {
            using var memory = new MemoryStream();
            using (var gzip = new System.IO.Compression.GZipStream(memory, System.IO.Compression.CompressionLevel.Optimal))
            {
                gzip.Write(Encoding.UTF8.GetBytes(text));
            }

            return memory.ToArray();
        }

        string escaped = string.Concat(Value.Select(c => $"\\u{(int)c:X4}"));
        ScannedText[] items =
        [
            new(ScanSource.HostOutput, "clear", $"PIN {Value} accepted"),
            new(ScanSource.HostOutput, "hex", Convert.ToHexString(Encoding.UTF8.GetBytes(json))),
            new(ScanSource.Queue, "base64 at offset 0", Base64(Value)),
            new(ScanSource.Queue, "base64 at offset 1", "prefix" + Base64("x" + Value)),
            new(ScanSource.Queue, "base64url at offset 2", Base64("xy" + json).Replace('+', '-').Replace('/', '_').TrimEnd('=')),
            new(ScanSource.Queue, "base64 of JSON in base64", Base64($$"""{"payload":"{{Base64(json)}}"}""")),
            new(ScanSource.StorageTraffic, "JSON-escaped", "{\"pin\":\"" + escaped + "\"}"),
            new(ScanSource.StorageTraffic, "URL-escaped", "/q?pin=" + string.Concat(Value.Select(c => $"%{(int)c:X2}"))),
            new(ScanSource.StorageTraffic, "gzip in base64", Convert.ToBase64String(Gzip(json))),
            new(ScanSource.Table, "utf-16", SecretSearch.AsText(Encoding.Unicode.GetBytes(json))),
            new(ScanSource.Blob, "gunzipped blob", SecretSearch.AsText(SecretSearch.Gunzip(Gzip(json))!)),
            new(ScanSource.Table, "another value", Base64("{\"pin\":\"48213960\"}") + " 4821390 " + Base64("4821-3906")),
        ];

        var search = new SecretSearch(items);

        Assert.Equal(items.Select(i => i.Where).SkipLast(1), search.Find(Value).Select(s => s.Item.Where).Distinct());
    }

    [Fact]
    public void TheHttpParserSplitsARecordedStreamIntoMessagesWithTheirBodiesChunkedOrNot()
    {
        byte[] requests = Encoding.Latin1.GetBytes(
            "POST /devstoreaccount1/q/messages?visibilitytimeout=7 HTTP/1.1\r\nHost: x\r\nContent-Length: 70\r\n\r\n"
            + "<?xml version=\"1.0\"?><QueueMessage><MessageText>abc</MessageText></QueueMessage>"[..70]
            + "HEAD /devstoreaccount1/c/b HTTP/1.1\r\nHost: x\r\n\r\n"
            + "PUT /devstoreaccount1/c/b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
        byte[] responses = Encoding.Latin1.GetBytes(
            "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"
            + "HTTP/1.1 200 OK\r\nContent-Length: 123\r\n\r\n"
            + "HTTP/1.1 100 Continue\r\n\r\n"
            + "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n");

        HttpStreamParser.Result parsedRequests = HttpStreamParser.Parse(requests, requestMethods: null);
        HttpStreamParser.Result parsedResponses = HttpStreamParser.Parse(responses, ["POST", "HEAD", "PUT"]);

        Assert.Null(parsedRequests.Unparsed);
        Assert.Null(parsedResponses.Unparsed);
        Assert.Equal(["POST", "HEAD", "PUT"], parsedRequests.Messages.Select(m => m.StartLine.Split(' ')[0]));
        Assert.Equal("de", Encoding.Latin1.GetString(parsedRequests.Messages[2].Body)[3..]);
        Assert.Equal(["ok", string.Empty, string.Empty, "z"], parsedResponses.Messages.Select(m => Encoding.Latin1.GetString(m.Body)));
        SentQueueMessage? sent = SentQueueMessage.TryRead(
            parsedRequests.Messages[0] with { Body = Encoding.UTF8.GetBytes("<?xml version=\"1.0\"?><QueueMessage><MessageText>abc</MessageText></QueueMessage>") },
            DateTimeOffset.UnixEpoch);
        Assert.Equal(("q", "abc", TimeSpan.FromSeconds(7)), (sent!.Queue, sent.Text, sent.VisibilityDelay));
        Assert.Null(SentQueueMessage.TryRead(parsedRequests.Messages[1], DateTimeOffset.UnixEpoch));
    }

    private async Task<Command> RunAsync(CommandsClient commands, object parameters, int wrongPins, bool resetStep, bool large = false)
    {
        const string api = CommandApi;
        string vin = TestVins.New();
        string pin = Pins.New();
        await fixture.SimulatorControl.SetPinAsync(vin, pin);
        if (resetStep)
        {
            await fixture.SimulatorControl.QueueErrorsAsync(vin, OtpApi, [2317]);
        }

        string instanceId = "scan-" + Guid.NewGuid().ToString("N");
        if (large)
        {
            // Large, within the API's body limit: the body as the client below sends it (web defaults, like PostAsJsonAsync).
            int parametersBytes = JsonSerializer.SerializeToUtf8Bytes(parameters, JsonSerializerOptions.Web).Length;
            int bodyBytes = JsonSerializer.SerializeToUtf8Bytes(new { vin, api, parameters, instanceId }, JsonSerializerOptions.Web).Length;
            Assert.InRange(parametersBytes, 60 * 1024 + 1, int.MaxValue);
            Assert.InRange(bodyBytes, parametersBytes, ApiBodyLimit);
        }

        StartedCommand started = await commands.StartAsync(vin, api, parameters, instanceId);
        var wrong = new List<string>();
        for (int round = 1; round <= wrongPins + 1; round++)
        {
            bool rejectedBefore = round > 1;
            await commands.WaitForStageAsync(started, "AwaitingPin", c => c.GetProperty("lastPinRejected").GetBoolean() == rejectedBefore);
            string typed = round <= wrongPins ? Pins.OtherThan([pin, .. wrong]) : pin;
            if (round <= wrongPins)
            {
                wrong.Add(typed);
            }

            started = await commands.DeliverPinAsync(started, typed);
        }

        JsonElement finished = (await commands.WaitForFinishAsync(started)).GetProperty("output");
        Assert.Equal("Succeeded", finished.GetProperty("outcome").GetString());
        Assert.Equal(wrongPins + 1, finished.GetProperty("pinAttemptsUsed").GetInt32());
        Assert.Equal(resetStep, finished.GetProperty("resetStepUsed").GetBoolean());
        if (resetStep)
        {
            IReadOnlyList<RequestLogEntry> otpRequests = [.. (await fixture.SimulatorControl.GetRequestsAsync(vin)).Where(e => e.Api == OtpApi)];
            Assert.Equal([(int?)2317, null], otpRequests.Select(e => e.ErrorCode));
            Assert.EndsWith("-reset-1", otpRequests[1].IdempotencyKey, StringComparison.Ordinal);
        }

        // The parameters as the client sent them (the first 200 characters of the large ones: random program times).
        string sent = JsonSerializer.Serialize(parameters, JsonSerializerOptions.Web);
        return new Command(vin, instanceId, pin, wrong, sent.Length > 200 ? sent[..200] : sent);
    }

    /// <summary>
    /// Preconditioning with as many programs as make its parameters larger than <see cref="LargeParametersBytes"/>: every
    /// field one the catalogue requires, and nothing it does not take (a free-form field would be refused).
    /// </summary>
    private static Dictionary<string, object> LargePreconditioning()
    {
        string[] week = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
        var programs = new List<object>();
        var parameters = new Dictionary<string, object> { ["action"] = "preconditioning", ["startNow"] = true, ["programs"] = programs };
        for (int slot = 1; slot <= 10_000 && JsonSerializer.SerializeToUtf8Bytes(parameters, JsonSerializerOptions.Web).Length <= LargeParametersBytes; slot++)
        {
            programs.Add(new
            {
                hour = RandomNumberGenerator.GetInt32(24),
                minute = RandomNumberGenerator.GetInt32(60),
                isEnabled = slot % 2 == 0,
                occurrence = week.Where(_ => RandomNumberGenerator.GetInt32(2) == 0).DefaultIfEmpty("mon").ToArray(),
                slot,
            });
        }

        return parameters;
    }

    private static IEnumerable<ScannedText> FilesUnder(string directory)
    {
        if (!Directory.Exists(directory))
        {
            yield break;
        }

        foreach (string file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            byte[] content;
            try
            {
                content = File.ReadAllBytes(file);
            }
            catch (IOException)
            {
                continue;
            }

            yield return new ScannedText(ScanSource.HostFile, $"file {Path.GetRelativePath(directory, file)}", SecretSearch.BodyText(content));
        }
    }

    /// <summary>Puts the host's output into the test's output (for a failure); false, so an exception filter lets the exception go on.</summary>
    private bool WriteHostOutput()
    {
        output.WriteLine("Host output (tail):\n" + fixture.Host.Output);
        return false;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    /// <summary>A finished command: its vehicle, its id, the vehicle's PIN and the wrong PINs typed first.</summary>
    private static string ParametersOf(Command command) => $"parameters of {command.InstanceId}";

    private static string HostKey(string name) => "host key: " + name;

    private sealed record Command(string Vin, string InstanceId, string Pin, IReadOnlyList<string> WrongPins, string Parameters);

    /// <summary>
    /// Random PINs of eight digits, the longest allowed: a shorter PIN would turn up by chance in timestamps, counters and
    /// ids (a given 4-digit string is in almost any page of them), while a given 8-digit one matches a random digit
    /// position with odds of 1 in 10^8.
    /// </summary>
    private static class Pins
    {
        private const int MaxTries = 100;

        public static string New() => RandomNumberGenerator.GetString("0123456789", 8);

        public static string OtherThan(IReadOnlyCollection<string> taken)
        {
            for (int i = 0; i < MaxTries; i++)
            {
                string pin = New();
                if (!taken.Contains(pin))
                {
                    return pin;
                }
            }

            throw new InvalidOperationException("No new random PIN in 100 tries.");
        }
    }
}
