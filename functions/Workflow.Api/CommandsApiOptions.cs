namespace Workflow.Api;

/// <summary>Settings of the product API (configuration section <c>Commands</c>), validated at start-up.</summary>
public sealed class CommandsApiOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Commands";

    /// <summary>
    /// The public base URL (scheme, host, optional path) of the links the API hands out (<c>Location</c>,
    /// <c>statusQueryGetUri</c>, <c>pinPostUri</c>, <c>nextPinPostUri</c>), e.g. <c>https://func-vcmd-abc.azurewebsites.net</c>.
    /// Required outside Development; unset in Development, links are relative (<c>/api/commands/…</c>). Never taken from
    /// the request: a forged <c>Host</c> header must not decide where a client sends its PIN.
    /// </summary>
    public Uri? PublicBaseUrl { get; set; }
}
