using System.Net;

namespace Workflow.Testing.KeyVault;

/// <summary>One request received by a <see cref="FakeKeyVaultHandler"/> and how it was answered.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The URI path without a trailing slash, for example <c>/secrets/my-secret</c>.</param>
/// <param name="Query">The query string, including the leading <c>?</c> when present.</param>
/// <param name="HadBearerToken">Whether the request carried an <c>Authorization: Bearer</c> header.</param>
/// <param name="StatusCode">The status the fake answered with.</param>
/// <param name="ReceivedAt">When the fake received the request, by its clock.</param>
public sealed record FakeKeyVaultRequest(
    HttpMethod Method,
    string Path,
    string Query,
    bool HadBearerToken,
    HttpStatusCode StatusCode,
    DateTimeOffset ReceivedAt);
