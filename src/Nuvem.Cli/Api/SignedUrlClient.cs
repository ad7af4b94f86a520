using System.Text.Json;
using System.Text.Json.Nodes;
using Nuvem.Cli.Configuration;

namespace Nuvem.Cli.Api;

/// <summary>
/// HTTP for URLs that carry their own credential in the query string: build and release <c>output_stream_url</c>s
/// and the <c>put_url</c> of an upload. They get no Authorization header (Heroku's CLI fetches them plainly, and
/// the token must never travel to whatever host such a URL names), and no timeout: an output stream stays open
/// for as long as the build runs. The same CA trust as the API applies, since they normally live on the API host.
/// Messages never show the query string, which is the secret.
/// </summary>
public sealed class SignedUrlClient : IDisposable
{
    private readonly HttpClient http;
    private readonly TrustedCertificates trust;

    public SignedUrlClient(TrustedCertificates trust)
    {
        this.trust = trust;
        var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = trust.Validate, UseCookies = false };
        http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", PlatformClient.UserAgent);
    }

    /// <summary>GET, copying the body to <paramref name="output"/> as it arrives (flushed per read, so output is live).</summary>
    public async Task StreamAsync(string url, Stream output, CancellationToken cancellation)
    {
        var (uri, host) = Parse(url);
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        using var response = await TransportErrors.Guard(host, trust, cancellation,
            () => http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellation));
        if (!response.IsSuccessStatusCode) throw await FailureAsync(response, uri, cancellation);

        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellation);
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await body.ReadAsync(buffer, cancellation)) > 0)
            {
                await output.WriteAsync(buffer.AsMemory(0, read), cancellation);
                await output.FlushAsync(cancellation);
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException && !cancellation.IsCancellationRequested)
        {
            throw new CliException($"The output stream from {host} broke off: {e.Message}");
        }
    }

    /// <summary>PUT of a file's bytes, as an upload URL from <c>POST /sources</c> expects.</summary>
    public async Task PutFileAsync(string url, string path, CancellationToken cancellation)
    {
        var (uri, host) = Parse(url);
        await using var file = File.OpenRead(path);
        using var request = new HttpRequestMessage(HttpMethod.Put, uri) { Content = new StreamContent(file) };
        request.Content.Headers.ContentLength = file.Length;
        using var response = await TransportErrors.Guard(host, trust, cancellation, () => http.SendAsync(request, cancellation));
        if (!response.IsSuccessStatusCode) throw await FailureAsync(response, uri, cancellation);
    }

    public void Dispose() => http.Dispose();

    private static (Uri Uri, NuvemHost Host) Parse(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
            throw new CliException($"The server sent an unusable URL: {url}");
        return (uri, NuvemHost.Parse(uri.GetLeftPart(UriPartial.Authority)));
    }

    /// <summary>The server's JSON message when there is one, and the URL without its secret.</summary>
    private static async Task<CliException> FailureAsync(HttpResponseMessage response, Uri uri, CancellationToken cancellation)
    {
        var text = await response.Content.ReadAsStringAsync(cancellation);
        string? message = null;
        try
        {
            if (JsonNode.Parse(text) is JsonObject error && error["message"] is JsonValue value && value.TryGetValue<string>(out var m)) message = m;
        }
        catch (JsonException)
        {
            // Not an API error document; the status line says enough.
        }
        var where = $"{response.RequestMessage?.Method} {uri.GetLeftPart(UriPartial.Path)}";
        return new CliException(message is { Length: > 0 }
            ? $"{message} ({where})"
            : $"HTTP Error {(int)response.StatusCode} for {where}");
    }
}
