using System.Net;
using System.Text.Json;
using Xunit;

namespace Workflow.Testing;

/// <summary>Assertions on the product's <c>application/problem+json</c> answers.</summary>
public static class Problems
{
    /// <summary>Asserts the status, the media type, the title, the <c>status</c> member and a non-empty detail; returns the problem.</summary>
    public static async Task<JsonElement> AssertAsync(HttpResponseMessage response, HttpStatusCode status, string title)
    {
        ArgumentNullException.ThrowIfNull(response);
        string text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument document = JsonDocument.Parse(text);
        JsonElement problem = document.RootElement.Clone();
        Assert.Equal(title, problem.GetProperty("title").GetString());
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
