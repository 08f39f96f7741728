using System.Net;
using System.Text.Json;

namespace Workflow.LocalHost.Tests.Support;

/// <summary>Assertions on <c>application/problem+json</c> answers.</summary>
internal static class Problems
{
    /// <summary>Asserts the status, the media type, the title and a non-empty detail; returns the problem.</summary>
    public static async Task<JsonElement> AssertAsync(HttpResponseMessage response, HttpStatusCode status, string title)
    {
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        JsonElement problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal(title, problem.GetProperty("title").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()), $"The problem has no detail: {text}");
        return problem;
    }
}
