using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Workflow.VehicleSimulator;

/// <summary>
/// Reads a JSON request body by hand rather than through minimal-API binding, so a malformed body
/// gets a problem+json answer that says what is wrong instead of an empty 400.
/// </summary>
internal static class JsonBody
{
    /// <summary>Reads the body as <typeparamref name="T"/>; on failure <c>Error</c> is the 400 to send.</summary>
    public static async Task<(T? Value, IResult? Error)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, SimulatorJson.Options, cancellationToken);
            return value is null
                ? (null, BadRequest("The body must be a JSON object."))
                : (value, null);
        }
        catch (JsonException ex)
        {
            // The exception names the path and the expected type, never the offending value, so it is safe to echo.
            return (null, BadRequest("The body is not valid JSON for this endpoint: " + ex.Message));
        }
    }

    /// <summary>The 400 answer of every validation failure.</summary>
    public static IResult BadRequest(string detail) =>
        Results.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid request");
}
