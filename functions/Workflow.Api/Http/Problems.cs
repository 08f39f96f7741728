using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Workflow.Api.Http;

/// <summary>
/// The problem responses (<c>application/problem+json</c>) of the product API: one place for status codes and the
/// title + detail shape.
/// </summary>
internal static class Problems
{
    public static ProblemHttpResult BadRequest(string title, string detail)
        => TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status400BadRequest);

    public static ProblemHttpResult NotFound(string title, string detail)
        => TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status404NotFound);

    public static ProblemHttpResult Conflict(string title, string detail)
        => TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status409Conflict);

    public static ProblemHttpResult PayloadTooLarge(string title, string detail)
        => TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status413PayloadTooLarge);

    public static ProblemHttpResult UnsupportedMediaType(string title, string detail)
        => TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status415UnsupportedMediaType);

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
