using System.Collections.Concurrent;
using System.Globalization;

namespace Workflow.Functions.Tests.Support;

/// <summary>An HTTP client handler that keeps every response the product API gave (status, headers, body), for the secrets scan.</summary>
internal sealed class ResponseRecorder : DelegatingHandler
{
    private readonly ConcurrentQueue<ScannedText> _responses = new();
    private int _count;

    public ResponseRecorder()
        : base(new HttpClientHandler())
    {
    }

    /// <summary>The responses so far, oldest first.</summary>
    public IReadOnlyList<ScannedText> Responses => [.. _responses];

    /// <summary>A client of the host at <paramref name="baseAddress"/> with the function key, through this recorder (which it then owns).</summary>
    public HttpClient CreateClient(Uri baseAddress, string functionKey)
    {
        var http = new HttpClient(this, disposeHandler: true) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Add("x-functions-key", functionKey);
        return http;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        HttpResponseMessage response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);

        // Buffered, so the caller reads the same body after this.
        await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        string headers = string.Join('\n', response.Headers.Concat(response.Content.Headers).Select(h => $"{h.Key}: {string.Join(", ", h.Value)}"));
        int number = Interlocked.Increment(ref _count);
        _responses.Enqueue(new ScannedText(
            ScanSource.ApiResponse,
            string.Create(CultureInfo.InvariantCulture, $"response {number} to {request.Method} {request.RequestUri?.AbsolutePath}: {(int)response.StatusCode}"),
            $"{(int)response.StatusCode} {response.ReasonPhrase}\n{headers}\n{body}"));
        return response;
    }
}
