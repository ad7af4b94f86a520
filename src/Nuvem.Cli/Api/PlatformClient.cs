using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nuvem.Cli.Configuration;
using Nuvem.Cli.Output;

namespace Nuvem.Cli.Api;

/// <summary>
/// HTTP client for Nuvem's Platform API, speaking it the way Heroku's CLI does: v3 Accept header, Bearer token,
/// JSON bodies with absent options omitted, and list GETs that follow <c>Next-Range</c> until the last page.
/// Every failure leaves here as either <see cref="PlatformApiException"/> (the server said no) or
/// <see cref="CliException"/> (we never got an answer) so commands need no HTTP error handling of their own.
/// </summary>
public sealed class PlatformClient : IDisposable
{
    public const string AcceptHeader = "application/vnd.heroku+json; version=3";
    public const string UserAgent = "nuvem-cli/0.1";

    // A misbehaving server that keeps answering with a Next-Range must not keep us looping forever.
    private const int MaxPages = 1000;

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(60);

    private readonly HttpClient http;
    private readonly TrustedCertificates trust;
    private readonly AuthenticationHeaderValue? authorization;
    private readonly HashSet<string> reportedWarnings = [];

    public PlatformClient(NuvemHost host, AuthenticationHeaderValue? authorization, TrustedCertificates trust)
    {
        Host = host;
        this.authorization = authorization;
        this.trust = trust;
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = trust.Validate,
            // Redirects would carry the Authorization header to wherever they point; the API never redirects.
            AllowAutoRedirect = false,
            UseCookies = false,
        };
        http = new HttpClient(handler) { BaseAddress = host.BaseUri, Timeout = RequestTimeout };
    }

    public NuvemHost Host { get; }

    public static PlatformClient WithToken(NuvemHost host, string token, TrustedCertificates trust) =>
        new(host, new AuthenticationHeaderValue("Bearer", token), trust);

    public static PlatformClient WithPassword(NuvemHost host, string email, string password, TrustedCertificates trust) =>
        new(host, new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{email}:{password}"))), trust);

    public async Task<JsonNode?> GetAsync(string path, CancellationToken cancellation) =>
        (await SendAsync(HttpMethod.Get, path, body: null, range: null, cancellation)).Body;

    /// <summary>
    /// GET of a collection. With <paramref name="allPages"/> the request is repeated with <c>Range: &lt;Next-Range&gt;</c>
    /// while the server sends one and the arrays are concatenated; without it only the first page is taken, as Heroku
    /// does for "the newest N releases" lookups.
    /// </summary>
    public async Task<JsonArray> GetListAsync(string path, CancellationToken cancellation, string? range = null, bool allPages = true)
    {
        var all = new JsonArray();
        for (var page = 0; page < MaxPages; page++)
        {
            var response = await SendAsync(HttpMethod.Get, path, body: null, range, cancellation);
            if (response.Body is not JsonArray items)
                throw new CliException($"Unexpected response from GET {path}: expected a JSON array.");
            foreach (var item in items.ToList())
            {
                items.Remove(item);
                all.Add(item);
            }
            if (!allPages || response.NextRange is null || response.NextRange == range) break;
            range = response.NextRange;
        }
        return all;
    }

    public async Task<JsonNode?> PostAsync(string path, JsonNode? body, CancellationToken cancellation) =>
        (await SendAsync(HttpMethod.Post, path, body, range: null, cancellation)).Body;

    public async Task<JsonNode?> PutAsync(string path, JsonNode? body, CancellationToken cancellation) =>
        (await SendAsync(HttpMethod.Put, path, body, range: null, cancellation)).Body;

    public async Task<JsonNode?> PatchAsync(string path, JsonNode? body, CancellationToken cancellation) =>
        (await SendAsync(HttpMethod.Patch, path, body, range: null, cancellation)).Body;

    public async Task<JsonNode?> DeleteAsync(string path, CancellationToken cancellation) =>
        (await SendAsync(HttpMethod.Delete, path, body: null, range: null, cancellation)).Body;

    /// <summary>A DELETE with a body (Heroku's add-on destroy sends <c>{"force": …}</c>).</summary>
    public async Task<JsonNode?> DeleteAsync(string path, JsonNode? body, CancellationToken cancellation) =>
        (await SendAsync(HttpMethod.Delete, path, body, range: null, cancellation)).Body;

    /// <summary>Escapes one path segment (an app name as typed may contain anything).</summary>
    public static string Segment(string value) => Uri.EscapeDataString(value);

    public void Dispose() => http.Dispose();

    private sealed record Response(JsonNode? Body, string? NextRange);

    private async Task<Response> SendAsync(HttpMethod method, string path, JsonNode? body, string? range, CancellationToken cancellation)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        request.Headers.TryAddWithoutValidation("Accept", AcceptHeader);
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        if (authorization is not null) request.Headers.Authorization = authorization;
        // Heroku's Range values ("version ..; max=15, order=desc") are not RFC 7233 byte ranges, so bypass validation.
        if (range is not null) request.Headers.TryAddWithoutValidation("Range", range);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        using var response = await TransportErrors.Guard(Host, trust, cancellation,
            () => http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellation));
        var text = await response.Content.ReadAsStringAsync(cancellation);
        ReportWarnings(response);

        if (!response.IsSuccessStatusCode) throw ToException(method, path, response, text);

        var nextRange = response.Headers.TryGetValues("Next-Range", out var values) ? values.FirstOrDefault() : null;
        return new Response(ParseJson(response, text, method, path), string.IsNullOrWhiteSpace(nextRange) ? null : nextRange);
    }

    /// <summary>Heroku's API sends deprecations and the like in these headers; its CLI shows them, once each.</summary>
    private void ReportWarnings(HttpResponseMessage response)
    {
        foreach (var header in new[] { "X-Heroku-Warning", "Warning-Message" })
        {
            if (!response.Headers.TryGetValues(header, out var values)) continue;
            foreach (var warning in values)
            {
                bool first;
                lock (reportedWarnings) first = reportedWarnings.Add(warning); // list commands send requests in parallel
                if (first && !string.IsNullOrWhiteSpace(warning)) ErrorReporter.Warning(warning);
            }
        }
    }

    private static JsonNode? ParseJson(HttpResponseMessage response, string text, HttpMethod method, string path)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var mediaType = response.Content.Headers.ContentType?.MediaType ?? "";
        // Same rule as Heroku's http-call: only JSON content types are parsed.
        if (!mediaType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) &&
            !mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException e)
        {
            throw new CliException($"Invalid JSON in the response to {method} /{path.TrimStart('/')}: {e.Message}");
        }
    }

    private Exception ToException(HttpMethod method, string path, HttpResponseMessage response, string text)
    {
        string? id = null;
        string? message = null;
        try
        {
            if (JsonNode.Parse(text) is JsonObject error)
            {
                id = error["id"]?.GetValueKind() == JsonValueKind.String ? error["id"]!.GetValue<string>() : null;
                message = error["message"]?.GetValueKind() == JsonValueKind.String ? error["message"]!.GetValue<string>() : null;
            }
        }
        catch (JsonException)
        {
            // Not an API error document (a proxy's HTML page, say); fall through to the generic text.
        }

        // A rejected Bearer token always means the same thing to the user, whatever the server's wording.
        if (response.StatusCode == HttpStatusCode.Unauthorized && authorization?.Scheme == "Bearer")
        {
            return new PlatformApiException(response.StatusCode, id ?? "unauthorized", $"Invalid credentials for {Host}. Run `nuvem login`.");
        }

        if (string.IsNullOrEmpty(message))
        {
            message = $"HTTP Error {(int)response.StatusCode} for {method} {new Uri(Host.BaseUri, path.TrimStart('/'))}";
            // A short plain-text body usually says what went wrong; an HTML error page would only be noise.
            var snippet = string.Join(' ', text.Split((char[])['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            var isHtml = response.Content.Headers.ContentType?.MediaType?.Contains("html", StringComparison.OrdinalIgnoreCase) == true;
            if (snippet.Length is > 0 and <= 200 && !isHtml) message += $": {snippet}";
        }
        return new PlatformApiException(response.StatusCode, id, message);
    }
}
