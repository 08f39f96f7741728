using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Workflow.Functions.Http;

/// <summary>
/// Reads a small JSON object body with a hard size limit and answers every way it can be wrong with a
/// problem (400 or 413) that never quotes the body: bodies here may carry a PIN.
/// </summary>
internal static class JsonBody
{
    /// <summary>The largest body the API accepts.</summary>
    public const int MaxBytes = 64 * 1024;

    public static async Task<(JsonElement Body, ProblemHttpResult? Problem)> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
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

            try
            {
                using JsonDocument document = JsonDocument.Parse(buffer.AsMemory(0, length));
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
                    string.Create(CultureInfo.InvariantCulture, $"The request body is not valid JSON (line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}).")));
            }
        }
        finally
        {
            // The body may hold a PIN; do not leave it in a pooled buffer.
            Array.Clear(buffer);
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static ProblemHttpResult TooLarge() => TypedResults.Problem(
        title: "Request body too large",
        detail: string.Create(CultureInfo.InvariantCulture, $"The request body must not exceed {MaxBytes / 1024} KB."),
        statusCode: StatusCodes.Status413PayloadTooLarge);
}
