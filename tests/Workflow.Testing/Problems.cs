using System.Net;
using System.Text.Json;
using Xunit;

namespace Workflow.Testing;

/// <summary>Assertions on the product's <c>application/problem+json</c> answers.</summary>
public static class Problems
{
    /// <summary>Asserts the status, the media type, the title, the <c>status</c> member and a non-empty detail; returns the problem.</summary>
    public static Task<JsonElement> AssertAsync(HttpResponseMessage response, HttpStatusCode status, string title)
        => AssertOneOfAsync(response, status, [title]);

    /// <summary>As <see cref="AssertAsync(HttpResponseMessage, HttpStatusCode, string)"/>, for an answer that may rightly carry any one of <paramref name="titles"/>.</summary>
    public static async Task<JsonElement> AssertOneOfAsync(HttpResponseMessage response, HttpStatusCode status, IReadOnlyList<string> titles)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(titles);
        string text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument document = JsonDocument.Parse(text);
        JsonElement problem = document.RootElement.Clone();
        string? title = problem.GetProperty("title").GetString();
        Assert.True(title is not null && titles.Contains(title), $"Expected the title {string.Join(" or ", titles.Select(t => $"'{t}'"))}, got '{title}': {text}");
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()), $"The problem has no detail: {text}");
        return problem;
    }

    /// <summary><see cref="AssertAsync(HttpResponseMessage, HttpStatusCode, string)"/> on the answer to <paramref name="sending"/>, which it then disposes.</summary>
    public static async Task<JsonElement> AssertAsync(Task<HttpResponseMessage> sending, HttpStatusCode status, string title)
    {
        ArgumentNullException.ThrowIfNull(sending);
        using HttpResponseMessage response = await sending.ConfigureAwait(false);
        return await AssertAsync(response, status, title).ConfigureAwait(false);
    }
}
