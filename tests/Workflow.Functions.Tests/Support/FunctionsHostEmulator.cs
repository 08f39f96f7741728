using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Workflow.Testing;

namespace Workflow.Functions.Tests.Support;

/// <summary>
/// Plays the Functions host's queue triggers: receives the runtime's messages from Azurite (base64, as
/// host.json's <c>messageEncoding</c> says), posts each one to the app as a custom-handler invocation
/// (<c>POST /{FunctionName}</c> with <c>Data</c> and <c>Metadata</c> as documented), and deletes the message
/// only when the app answers 200, leaving it to reappear otherwise, as the host does.
/// </summary>
internal sealed class FunctionsHostEmulator : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly (QueueClient Queue, string Function)[] _triggers;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _failures;

    private FunctionsHostEmulator(Uri handler, string connectionString, string hubName)
    {
        _http = new HttpClient { BaseAddress = handler };
        var options = new QueueClientOptions(QueueClientOptions.ServiceVersion.V2025_01_05) { MessageEncoding = QueueMessageEncoding.Base64 };
        string prefix = hubName.ToLowerInvariant();
        _triggers =
        [
            (new QueueClient(connectionString, prefix + "-control", options), "ControlQueueTrigger"),
            (new QueueClient(connectionString, prefix + "-workitems", options), "WorkItemQueueTrigger"),
        ];
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Invocations the app answered with something other than 200.</summary>
    public int Failures => Volatile.Read(ref _failures);

    public int Deliveries { get; private set; }

    public static async Task<FunctionsHostEmulator> StartAsync(Uri handler, string hubName)
    {
        AzuriteServer azurite = await AzuriteServer.Shared;
        return new FunctionsHostEmulator(handler, azurite.ConnectionString, hubName);
    }

    /// <summary>The request body the host sends for one queue message (shape of the custom handler documentation).</summary>
    public static string InvocationBody(string messageText, long dequeueCount, string id = "800ae4b3-bdd2-4c08-badd-f08e5a34b865", string popReceipt = "AgAAAAMAAAAAAAAAAgtnj8x+1QE=")
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        var body = new JsonObject
        {
            ["Data"] = new JsonObject { ["message"] = messageText },
            ["Metadata"] = new JsonObject
            {
                ["DequeueCount"] = dequeueCount,
                ["ExpirationTime"] = now.AddDays(7).ToString("yyyy-MM-ddTHH:mm:ss+00:00", CultureInfo.InvariantCulture),
                ["Id"] = id,
                ["InsertionTime"] = now.ToString("yyyy-MM-ddTHH:mm:ss+00:00", CultureInfo.InvariantCulture),
                ["NextVisibleTime"] = now.AddMinutes(10).ToString("yyyy-MM-ddTHH:mm:ss+00:00", CultureInfo.InvariantCulture),
                ["PopReceipt"] = popReceipt,
                ["sys"] = new JsonObject
                {
                    ["MethodName"] = "QueueTrigger",
                    ["UtcNow"] = now.ToString("O", CultureInfo.InvariantCulture),
                    ["RandGuid"] = Guid.NewGuid().ToString(),
                },
            },
        };
        return body.ToJsonString();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            bool any = false;
            foreach ((QueueClient queue, string function) in _triggers)
            {
                try
                {
                    QueueMessage[] messages = (await queue.ReceiveMessagesAsync(16, TimeSpan.FromSeconds(5), cancellationToken)).Value;
                    foreach (QueueMessage message in messages)
                    {
                        any = true;
                        await DeliverAsync(queue, function, message, cancellationToken);
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Azure.RequestFailedException ex) when (ex.Status == 404)
                {
                    // The app has not created its queues yet.
                }
            }

            if (!any)
            {
                try
                {
                    await Task.Delay(50, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task DeliverAsync(QueueClient queue, string function, QueueMessage message, CancellationToken cancellationToken)
    {
        using var content = new StringContent(InvocationBody(message.MessageText, message.DequeueCount, message.MessageId, message.PopReceipt), Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await _http.PostAsync(function, content, cancellationToken);
        Deliveries++;
        if (response.StatusCode == HttpStatusCode.OK)
        {
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
        }
        else
        {
            Interlocked.Increment(ref _failures);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
        _http.Dispose();
    }
}
