using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Workflow.Api.Commands;
using Workflow.Api.Http;

namespace Workflow.Api.Tests;

/// <summary>The input rules of the product API, each owned in one place: command ids and JSON bodies.</summary>
public sealed class InputRulesTests
{
    [Theory]
    [InlineData("order-42")]
    [InlineData("a.b_c:d~e")]
    [InlineData("X")]
    public void A_printable_ascii_id_is_a_command_id(string id) => Assert.True(CommandIds.IsValid(id));

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("with space")]
    [InlineData("slash/")]
    [InlineData("back\\slash")]
    [InlineData("hash#")]
    [InlineData("question?")]
    [InlineData("percent%41")]
    [InlineData("tab\t")]
    [InlineData("caf\u00e9")]
    [InlineData("\u0430bc")]
    public void Ids_the_engine_or_urls_would_mangle_are_refused(string id) => Assert.False(CommandIds.IsValid(id));

    [Fact]
    public void An_id_longer_than_the_limit_is_refused()
        => Assert.False(CommandIds.IsValid(new string('a', CommandIds.MaxLength + 1)));

    [Fact]
    public async Task A_property_named_twice_is_refused()
    {
        ProblemHttpResult? problem = await ReadAsync("""{"pin":"1234","pin":"9999"}""", "application/json");

        Assert.Equal(StatusCodes.Status400BadRequest, problem?.StatusCode);
        Assert.Contains("names a property twice", problem!.ProblemDetails.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("1234", problem.ProblemDetails.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData(null)]
    public async Task A_body_not_sent_as_json_is_a_415(string? contentType)
        => Assert.Equal(StatusCodes.Status415UnsupportedMediaType, (await ReadAsync("""{"pin":"1234"}""", contentType))?.StatusCode);

    [Fact]
    public async Task A_body_over_the_limit_is_a_413()
        => Assert.Equal(StatusCodes.Status413PayloadTooLarge, (await ReadAsync(new string(' ', JsonBody.MaxBytes + 1), "application/json"))?.StatusCode);

    [Fact]
    public async Task A_json_object_is_read()
        => Assert.Null(await ReadAsync("""{"pin":"1234"}""", "application/json; charset=utf-8"));

    private static async Task<ProblemHttpResult?> ReadAsync(string body, string? contentType)
    {
        var context = new DefaultHttpContext();
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentLength = bytes.Length;
        context.Request.ContentType = contentType;
        (_, ProblemHttpResult? problem) = await JsonBody.ReadObjectAsync(context.Request, CancellationToken.None);
        return problem;
    }
}
