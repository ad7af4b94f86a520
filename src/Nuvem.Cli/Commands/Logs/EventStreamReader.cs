using System.Net;
using System.Net.Http.Headers;

namespace Nuvem.Cli.Commands.Logs;

/// <summary>
/// A Server-Sent Events client as far as log streams need it: <c>data:</c> lines (each printed), <c>id:</c>
/// (remembered and sent back as <c>Last-Event-ID</c> on the next connection), <c>retry:</c>, and comments.
/// </summary>
public sealed class EventStreamReader(Action<string> onLine)
{
    public string? LastEventId { get; private set; }

    /// <summary>How long to wait before reconnecting; the server may change it with <c>retry:</c>.</summary>
    public TimeSpan Retry { get; private set; } = TimeSpan.FromSeconds(1);

    /// <summary>Reads one connection to its end.</summary>
    /// <returns>The HTTP status; events were only read when it is 200.</returns>
    public async Task<HttpStatusCode> ReadAsync(HttpClient http, string url, CancellationToken cancellation)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
        request.Headers.TryAddWithoutValidation("User-Agent", Api.PlatformClient.UserAgent);
        if (LastEventId is not null) request.Headers.TryAddWithoutValidation("Last-Event-ID", LastEventId);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellation);
        if (response.StatusCode != HttpStatusCode.OK) return response.StatusCode;
        if (response.Content.Headers.ContentType?.MediaType != "text/event-stream")
            throw new CliException($"Logs eventsource failed with: 200 Invalid content type ({response.Content.Headers.ContentType?.MediaType ?? "none"})");

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellation));
        var data = new List<string>();
        string? id = null;
        while (await reader.ReadLineAsync(cancellation) is { } line)
        {
            if (line.Length == 0)
            {
                if (id is not null) LastEventId = id;
                foreach (var text in data) onLine(text);
                data.Clear();
                id = null;
                continue;
            }
            if (line[0] == ':') continue; // a comment: keep-alive
            var colon = line.IndexOf(':');
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..];
            if (value.StartsWith(' ')) value = value[1..];
            switch (field)
            {
                case "data": data.AddRange(value.Split('\n')); break;
                case "id": id = value; break;
                case "retry" when int.TryParse(value, out var ms) && ms >= 0: Retry = TimeSpan.FromMilliseconds(ms); break;
            }
        }
        return HttpStatusCode.OK;
    }
}
