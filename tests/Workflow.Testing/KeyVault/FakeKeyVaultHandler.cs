using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Workflow.Testing.KeyVault;

/// <summary>
/// An in-process Azure Key Vault (secrets only) that answers the REST protocol the real
/// <c>Azure.Security.KeyVault.Secrets.SecretClient</c> speaks, so tests run the real client without a network.
/// </summary>
/// <remarks>
/// <para>Plug it in with <c>new SecretClientOptions { Transport = new HttpClientTransport(handler) }</c> and
/// <see cref="VaultUri"/> as the client's vault URI. What it implements, as the Key Vault REST API does:</para>
/// <list type="bullet">
/// <item>Challenge authentication: a request without a bearer token (or, when <see cref="RequiredToken"/> is
/// set, with another token) is answered 401 with
/// <c>WWW-Authenticate: Bearer authorization="https://login.microsoftonline.com/{tenant}", resource="https://vault.azure.net"</c>.
/// The SDK checks that the challenge resource's domain matches the vault host, which holds for the
/// <c>*.vault.azure.net</c> hosts this fake uses.</item>
/// <item><c>GET /secrets/{name}</c> (current version), <c>GET /secrets/{name}/{version}</c>,
/// <c>PUT /secrets/{name}</c> (adds a version), <c>GET /secrets/{name}/versions</c> and <c>GET /secrets</c>,
/// each requiring <c>api-version</c>, with the documented secret-bundle JSON and error bodies
/// (<c>SecretNotFound</c> on 404).</item>
/// <item>Throttling on demand: <see cref="ThrottleNextRequests"/> answers the next authenticated requests 429
/// with <c>Retry-After</c>.</item>
/// </list>
/// <para>Every request is recorded in <see cref="Requests"/>. The fake refuses requests for any other host.</para>
/// </remarks>
public sealed class FakeKeyVaultHandler : HttpMessageHandler
{
    /// <summary>The tenant named in the challenge unless <see cref="TenantId"/> says otherwise.</summary>
    public const string DefaultTenantId = "00000000-0000-0000-0000-00000000f4c3";

    /// <summary>The resource named in the challenge, as public-cloud Key Vault names it.</summary>
    public const string Resource = "https://vault.azure.net";

    private const string RecoveryLevel = "Recoverable+Purgeable";
    private const int RecoverableDays = 90;

    private readonly object _gate = new();
    private readonly Dictionary<string, List<StoredVersion>> _secrets = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<FakeKeyVaultRequest> _requests = [];
    private readonly TimeProvider _timeProvider;
    private int _throttledRequestsLeft;
    private TimeSpan _throttleRetryAfter;

    /// <summary>Creates an empty vault.</summary>
    /// <param name="vaultUri">
    /// The vault's URI; <see langword="null"/> for a new <see cref="CreateVaultUri">unique one</see>. The SDK caches
    /// challenges per host for the whole process, so a unique host makes every new vault see the challenge.
    /// </param>
    /// <param name="timeProvider">The clock for the created/updated attributes and request times.</param>
    public FakeKeyVaultHandler(Uri? vaultUri = null, TimeProvider? timeProvider = null)
    {
        vaultUri ??= CreateVaultUri();
        if (!vaultUri.IsAbsoluteUri || vaultUri.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"The vault URI '{vaultUri}' must be an absolute https URI: the SDK only sends bearer tokens over https.", nameof(vaultUri));
        }

        VaultUri = new Uri(vaultUri.GetLeftPart(UriPartial.Authority) + "/");
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The vault's URI, with a trailing slash, for example <c>https://fake-vault-0a1b2c3d4e5f.vault.azure.net/</c>.</summary>
    public Uri VaultUri { get; }

    /// <summary>The tenant the challenge sends the client to.</summary>
    public string TenantId { get; init; } = DefaultTenantId;

    /// <summary>When set, only this bearer token is accepted; any other token is challenged again (401).</summary>
    public string? RequiredToken { get; init; }

    /// <summary>All requests received so far, oldest first.</summary>
    public IReadOnlyList<FakeKeyVaultRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>A new vault URI with a unique host under <c>vault.azure.net</c>.</summary>
    /// <returns>For example <c>https://fake-vault-0a1b2c3d4e5f.vault.azure.net/</c>.</returns>
    public static Uri CreateVaultUri() =>
        new($"https://fake-vault-{Guid.NewGuid().ToString("N")[..12]}.vault.azure.net/");

    /// <summary>Counts the requests received for <paramref name="path"/> (a trailing slash is ignored), whatever their answer.</summary>
    /// <param name="path">For example <c>/secrets/my-secret</c> or <c>/secrets/my-secret/{version}</c>.</param>
    /// <returns>The number of requests.</returns>
    public int CountRequests(string path) => CountRequests(path, statusCode: null);

    /// <summary>Counts the requests received for <paramref name="path"/> that were answered with <paramref name="statusCode"/>.</summary>
    /// <param name="path">For example <c>/secrets/my-secret</c>; a trailing slash is ignored.</param>
    /// <param name="statusCode">The answer to count; <see langword="null"/> for any.</param>
    /// <returns>The number of requests.</returns>
    public int CountRequests(string path, HttpStatusCode? statusCode)
    {
        ArgumentNullException.ThrowIfNull(path);
        string normalized = NormalizePath(path);
        lock (_gate)
        {
            return _requests.Count(r =>
                string.Equals(r.Path, normalized, StringComparison.OrdinalIgnoreCase)
                && (statusCode is null || r.StatusCode == statusCode));
        }
    }

    /// <summary>Adds a new version of a secret directly, without a request, as <c>az keyvault secret set</c> would.</summary>
    /// <param name="name">The secret name: letters, digits and dashes, up to 127 characters.</param>
    /// <param name="value">The value.</param>
    /// <param name="contentType">An optional content type.</param>
    /// <returns>The new version's id: 32 lowercase hex digits.</returns>
    public string SetSecret(string name, string value, string? contentType = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!IsValidName(name))
        {
            throw new ArgumentException($"'{name}' is not a valid Key Vault secret name: use 1 to 127 letters, digits and dashes.", nameof(name));
        }

        lock (_gate)
        {
            return AddVersion(name, value, contentType, enabled: true, tags: null).Version;
        }
    }

    /// <summary>
    /// Answers the next <paramref name="count"/> authenticated requests with 429 Too Many Requests and
    /// <c>Retry-After</c> set to <paramref name="retryAfter"/> in whole seconds.
    /// </summary>
    /// <param name="count">How many requests to throttle.</param>
    /// <param name="retryAfter">The wait to ask for; rounded up to whole seconds, as the header carries seconds.</param>
    public void ThrottleNextRequests(int count, TimeSpan retryAfter)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(retryAfter, TimeSpan.Zero);
        lock (_gate)
        {
            _throttledRequestsLeft = count;
            _throttleRetryAfter = retryAfter;
        }
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Uri? uri = request.RequestUri;
        if (uri is null || !string.Equals(uri.Host, VaultUri.Host, StringComparison.OrdinalIgnoreCase) || uri.Scheme != Uri.UriSchemeHttps)
        {
            throw new InvalidOperationException(
                $"The fake Key Vault at {VaultUri} received a request for '{uri}'. It answers only its own vault and never uses the network; create the SecretClient with its VaultUri.");
        }

        string? body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        string? token = request.Headers.Authorization is { Scheme: var scheme, Parameter: var parameter }
            && string.Equals(scheme, "Bearer", StringComparison.OrdinalIgnoreCase)
            && !string.IsNullOrEmpty(parameter)
                ? parameter
                : null;
        string path = NormalizePath(uri.AbsolutePath);

        HttpResponseMessage response;
        lock (_gate)
        {
            response = Answer(request.Method, path, uri.Query, token, body);
            _requests.Add(new FakeKeyVaultRequest(request.Method, path, uri.Query, token is not null, response.StatusCode, _timeProvider.GetUtcNow()));
        }

        response.RequestMessage = request;
        response.Headers.TryAddWithoutValidation("x-ms-request-id", Guid.NewGuid().ToString());
        response.Headers.TryAddWithoutValidation("x-ms-keyvault-service-version", "1.9.0.0");
        response.Headers.TryAddWithoutValidation("Cache-Control", "no-cache");
        return response;
    }

    private HttpResponseMessage Answer(HttpMethod method, string path, string query, string? token, string? body)
    {
        // Key Vault authenticates before anything else; an unauthenticated request learns only how to authenticate.
        if (token is null)
        {
            return Challenge("AKV10000: Request is missing a Bearer or PoP token.");
        }

        if (RequiredToken is not null && !string.Equals(token, RequiredToken, StringComparison.Ordinal))
        {
            return Challenge("AKV10032: Invalid issuer. The access token was not issued for this vault.");
        }

        if (!HasApiVersion(query))
        {
            return Error(HttpStatusCode.BadRequest, "BadParameter", "The 'api-version' query parameter is missing.");
        }

        if (_throttledRequestsLeft > 0)
        {
            _throttledRequestsLeft--;
            HttpResponseMessage throttled = Error(
                (HttpStatusCode)429,
                "Throttled",
                "Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached");
            int seconds = (int)Math.Ceiling(_throttleRetryAfter.TotalSeconds);
            throttled.Headers.TryAddWithoutValidation("Retry-After", seconds.ToString(CultureInfo.InvariantCulture));
            return throttled;
        }

        string[] segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0 || !string.Equals(segments[0], "secrets", StringComparison.OrdinalIgnoreCase))
        {
            return NotImplementedByFake(method, path);
        }

        if (segments.Length == 1)
        {
            return method == HttpMethod.Get ? ListSecrets() : MethodNotAllowed(method, path);
        }

        string name = segments[1];
        if (!IsValidName(name))
        {
            return Error(HttpStatusCode.BadRequest, "BadParameter", $"The request URI contains an invalid name: {name}");
        }

        return (segments.Length, method.Method) switch
        {
            (2, "GET") => GetSecret(name, version: null),
            (2, "PUT") => PutSecret(name, body),
            (3, "GET") when string.Equals(segments[2], "versions", StringComparison.OrdinalIgnoreCase) => ListVersions(name),
            (3, "GET") => GetSecret(name, segments[2]),
            (2 or 3, _) => MethodNotAllowed(method, path),
            _ => NotImplementedByFake(method, path),
        };
    }

    private HttpResponseMessage GetSecret(string name, string? version)
    {
        StoredVersion? stored = null;
        if (_secrets.TryGetValue(name, out List<StoredVersion>? versions))
        {
            stored = version is null
                ? versions[^1]
                : versions.Find(v => string.Equals(v.Version, version, StringComparison.OrdinalIgnoreCase));
        }

        if (stored is null)
        {
            string id = version is null ? name : $"{name}/{version}";
            return Error(
                HttpStatusCode.NotFound,
                "SecretNotFound",
                $"A secret with (name/id) {id} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182");
        }

        if (!stored.Enabled)
        {
            var disabled = new JsonObject
            {
                ["error"] = new JsonObject
                {
                    ["code"] = "Forbidden",
                    ["message"] = "Operation get is not allowed on a disabled secret.",
                    ["innererror"] = new JsonObject { ["code"] = "SecretDisabled" },
                },
            };
            return Json(HttpStatusCode.Forbidden, disabled);
        }

        return Json(HttpStatusCode.OK, Bundle(stored, includeValue: true));
    }

    private HttpResponseMessage PutSecret(string name, string? body)
    {
        JsonObject? request;
        try
        {
            request = body is null ? null : JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            request = null;
        }

        if (request is null)
        {
            return Error(HttpStatusCode.BadRequest, "BadParameter", "The request body is not a JSON object.");
        }

        if (request["value"] is not JsonValue valueNode || !valueNode.TryGetValue(out string? value))
        {
            return Error(HttpStatusCode.BadRequest, "BadParameter", "Property value is required.");
        }

        string? contentType = request["contentType"] is JsonValue ct && ct.TryGetValue(out string? c) ? c : null;
        bool enabled = request["attributes"]?["enabled"] is not JsonValue e || !e.TryGetValue(out bool flag) || flag;
        JsonObject? tags = request["tags"] as JsonObject;
        StoredVersion stored = AddVersion(name, value, contentType, enabled, (JsonObject?)tags?.DeepClone());
        return Json(HttpStatusCode.OK, Bundle(stored, includeValue: true));
    }

    private HttpResponseMessage ListVersions(string name)
    {
        if (!_secrets.TryGetValue(name, out List<StoredVersion>? versions))
        {
            return Error(HttpStatusCode.NotFound, "SecretNotFound", $"A secret with (name/id) {name} was not found in this key vault.");
        }

        var items = new JsonArray([.. versions.Select(v => (JsonNode)Bundle(v, includeValue: false))]);
        return Json(HttpStatusCode.OK, new JsonObject { ["value"] = items, ["nextLink"] = null });
    }

    private HttpResponseMessage ListSecrets()
    {
        var items = new JsonArray([.. _secrets.Values.Select(versions =>
        {
            // The list shows each secret's current version, identified without its version segment.
            JsonObject item = Bundle(versions[^1], includeValue: false);
            item["id"] = $"{VaultUri.GetLeftPart(UriPartial.Authority)}/secrets/{versions[^1].Name}";
            return (JsonNode)item;
        })]);
        return Json(HttpStatusCode.OK, new JsonObject { ["value"] = items, ["nextLink"] = null });
    }

    private StoredVersion AddVersion(string name, string value, string? contentType, bool enabled, JsonObject? tags)
    {
        if (!_secrets.TryGetValue(name, out List<StoredVersion>? versions))
        {
            versions = [];
            _secrets[name] = versions;
        }

        var stored = new StoredVersion(
            versions.Count > 0 ? versions[0].Name : name,
            Guid.NewGuid().ToString("N"),
            value,
            contentType,
            enabled,
            _timeProvider.GetUtcNow().ToUnixTimeSeconds(),
            tags);
        versions.Add(stored);
        return stored;
    }

    private JsonObject Bundle(StoredVersion stored, bool includeValue)
    {
        var bundle = new JsonObject();
        if (includeValue)
        {
            bundle["value"] = stored.Value;
        }

        bundle["id"] = $"{VaultUri.GetLeftPart(UriPartial.Authority)}/secrets/{stored.Name}/{stored.Version}";
        if (stored.ContentType is not null)
        {
            bundle["contentType"] = stored.ContentType;
        }

        bundle["attributes"] = new JsonObject
        {
            ["enabled"] = stored.Enabled,
            ["created"] = stored.CreatedUnixSeconds,
            ["updated"] = stored.CreatedUnixSeconds,
            ["recoveryLevel"] = RecoveryLevel,
            ["recoverableDays"] = RecoverableDays,
        };
        bundle["tags"] = stored.Tags?.DeepClone() ?? new JsonObject();
        return bundle;
    }

    private HttpResponseMessage Challenge(string message)
    {
        HttpResponseMessage response = Error(HttpStatusCode.Unauthorized, "Unauthorized", message);
        response.Headers.TryAddWithoutValidation(
            "WWW-Authenticate",
            $"Bearer authorization=\"https://login.microsoftonline.com/{TenantId}\", resource=\"{Resource}\"");
        return response;
    }

    private static HttpResponseMessage MethodNotAllowed(HttpMethod method, string path) =>
        Error(HttpStatusCode.MethodNotAllowed, "MethodNotAllowed", $"The method {method} is not allowed on {path}.");

    private static HttpResponseMessage NotImplementedByFake(HttpMethod method, string path) =>
        Error(HttpStatusCode.NotImplemented, "NotImplementedByFake", $"The fake Key Vault does not implement {method} {path}; extend FakeKeyVaultHandler if a test needs it.");

    private static HttpResponseMessage Error(HttpStatusCode status, string code, string message) =>
        Json(status, new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } });

    private static HttpResponseMessage Json(HttpStatusCode status, JsonObject body) =>
        new(status) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };

    private static bool HasApiVersion(string query) =>
        query.TrimStart('?').Split('&').Any(p => p.StartsWith("api-version=", StringComparison.OrdinalIgnoreCase) && p.Length > "api-version=".Length);

    private static bool IsValidName(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 127 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    private static string NormalizePath(string path)
    {
        string trimmed = path.TrimEnd('/');
        return trimmed.Length == 0 ? "/" : trimmed;
    }

    private sealed record StoredVersion(
        string Name,
        string Version,
        string Value,
        string? ContentType,
        bool Enabled,
        long CreatedUnixSeconds,
        JsonObject? Tags);
}
