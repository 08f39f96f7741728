using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Workflow.Api.Http;

/// <summary>
/// Reads a small JSON body with a hard size limit and answers every way it can be wrong with a problem
/// (400 or 413) that never quotes the body: bodies here may carry a PIN.
/// </summary>
internal static class JsonBody
{
    /// <summary>The largest body the API accepts.</summary>
    public const int MaxBytes = 64 * 1024;

    // A body that names a property twice means two things at once; which one a reader takes differs between parsers.
    private static readonly JsonDocumentOptions Options = new() { AllowDuplicateProperties = false };

    /// <summary>
    /// Reads a body that must be a JSON object sent as JSON: an empty body, another JSON value, malformed JSON or a
    /// property named twice is a 400, another content type a 415, a body over <see cref="MaxBytes"/> a 413.
    /// </summary>
    /// <param name="request">The request whose body is read.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The object, or the problem to answer with.</returns>
    public static async Task<(JsonElement Body, ProblemHttpResult? Problem)> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > MaxBytes)
        {
            return (default, TooLarge());
        }

        // Read at most one byte past the limit: a body without Content-Length (chunked) is cut off there.
        byte[] buffer = ArrayPool<byte>.Shared.Rent(MaxBytes + 1);
        try
        {
            int length = 0;
            while (length <= MaxBytes)
            {
                int read = await request.Body.ReadAsync(buffer.AsMemory(length, MaxBytes + 1 - length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            if (length > MaxBytes)
            {
                return (default, TooLarge());
            }

            if (length == 0)
            {
                return (default, Problems.BadRequest("Request body required", "The request body must be a JSON object."));
            }

            if (!request.HasJsonContentType())
            {
                return (default, Problems.UnsupportedMediaType(
                    "Unsupported content type",
                    $"The body must be JSON sent with 'Content-Type: application/json' (got '{request.ContentType ?? "none"}')."));
            }

            try
            {
                using JsonDocument document = JsonDocument.Parse(buffer.AsMemory(0, length), Options);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    return (default, Problems.BadRequest("JSON object expected", "The request body must be a JSON object."));
                }

                return (document.RootElement.Clone(), null);
            }
            catch (JsonException ex)
            {
                // Position only: the parser's own message can quote the offending characters.
                return (default, Problems.BadRequest(
                    "Malformed JSON",
                    string.Create(CultureInfo.InvariantCulture, $"The request body is not valid JSON, or names a property twice (line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}).")));
            }
        }
        finally
        {
            // The body may hold a PIN; do not leave it in a pooled buffer.
            Array.Clear(buffer);
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static ProblemHttpResult TooLarge() => Problems.PayloadTooLarge(
        "Request body too large",
        string.Create(CultureInfo.InvariantCulture, $"The request body must not exceed {MaxBytes / 1024} KB ({MaxBytes} bytes)."));
}
