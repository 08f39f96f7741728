using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Workflow.Functions.Http;

/// <summary>
/// The problem responses (<c>application/problem+json</c>) of both the product API and the Durable Functions-compatible
/// management API: one place for status codes and the title + detail shape.
/// </summary>
internal static class Problems
{
    public static ProblemHttpResult BadRequest(string title, string detail)
        => TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status400BadRequest);

    public static ProblemHttpResult NotFound(string title, string detail)
        => TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status404NotFound);

    public static ProblemHttpResult Conflict(string title, string detail)
        => TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status409Conflict);

    public static ProblemHttpResult Gone(string title, string detail)
        => TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status410Gone);

    public static ProblemHttpResult PayloadTooLarge(string title, string detail)
        => TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status413PayloadTooLarge);

    /// <summary>A 500 for a server-side misconfiguration the caller can only report, never for an unexpected exception.</summary>
    public static ProblemHttpResult InternalServerError(string title, string detail)
        => TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status500InternalServerError);

    public static ProblemHttpResult Forbidden(string title, string detail)
        => TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status403Forbidden);

    /// <summary>A 429; set the response's <c>Retry-After</c> header too, so the caller knows when to come back.</summary>
    public static ProblemHttpResult TooManyRequests(string title, string detail)
        => TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status429TooManyRequests);

    /// <summary>A 400 that lists each invalid field under <c>errors</c>.</summary>
    public static ProblemHttpResult Invalid(string title, IDictionary<string, string[]> errors)
        => TypedResults.Problem(new HttpValidationProblemDetails(errors)
        {
            Title = title,
            Detail = string.Join(" ", errors.SelectMany(e => e.Value)),
            Status = StatusCodes.Status400BadRequest,
        });
}
