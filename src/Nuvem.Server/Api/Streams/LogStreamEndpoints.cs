using System.Globalization;
using System.Text;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Logplex;
using Nuvem.Server.Api.Conventions;

namespace Nuvem.Server.Api.Streams;

/// <summary>What a log session asked for; it travels in its signed URL.</summary>
public sealed record LogSession(string AppId, string Id, int Lines, bool Tail, LogFilter Filter, long ExpiresAt)
{
    public string Path => $"/streams/logs/{AppId}/{Id}";

    /// <summary>The signed query, always in this order and spelling.</summary>
    public string Query
    {
        get
        {
            var query = new StringBuilder($"lines={Lines}&tail={(Tail ? "true" : "false")}");
            if (Filter.Source is { } source) query.Append("&source=").Append(Uri.EscapeDataString(source));
            if (Filter.Dyno is { } dyno) query.Append("&dyno=").Append(Uri.EscapeDataString(dyno));
            query.Append("&expires=").Append(ExpiresAt.ToString(CultureInfo.InvariantCulture));
            return query.ToString();
        }
    }
}

/// <summary>
/// The <c>logplex_url</c> of a log session, spoken as the heroku CLI expects (its reference section 6): a GET with no
/// Authorization header answering <c>200 text/event-stream</c>, one event per log line (<c>id:</c> the line's id,
/// <c>data:</c> <c>2026-05-01T12:00:00.123456+00:00 app[web.1]: message</c>). Without tail the last N matching lines,
/// then the stream closes; with tail it then follows new lines, sends a comment while idle, and a reconnecting
/// client's <c>Last-Event-ID</c> resumes right after the last line it got.
/// </summary>
public static class LogStreamEndpoints
{
    /// <summary>EventSource clients wait this long before reconnecting a dropped tail.</summary>
    public const int RetryMilliseconds = 1000;

    public static void MapLogStreams(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/streams/logs/{appId}/{sessionId}", async (HttpContext http, string appId, string sessionId, SignedUrls urls,
            AppService apps, Logplex logplex, TimeProvider time, IHostApplicationLifetime lifetime) =>
        {
            var query = http.Request.Query;
            var session = Parse(appId, sessionId, query);
            if (session is null || !urls.Verify(session.Path, session.Query, query["token"]))
            {
                await ApiError.WriteAsync(http, StatusCodes.Status404NotFound, "not_found", "No such log session.");
                return;
            }
            if (session.ExpiresAt < time.GetUtcNow().ToUnixTimeSeconds() || !apps.Exists(appId))
            {
                await ApiError.WriteAsync(http, StatusCodes.Status404NotFound, "not_found", "This log session has expired. Start a new one.");
                return;
            }

            long? after = long.TryParse(http.Request.Headers["Last-Event-ID"].ToString().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var last)
                ? last
                : null;
            // A reconnecting client wants everything it missed, not just the last N.
            var count = after is null ? session.Lines : logplex.Settings.MaxLinesPerApp;

            http.Response.StatusCode = StatusCodes.Status200OK;
            http.Response.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache";
            http.Response.Headers["X-Accel-Buffering"] = "no"; // nginx in front must not hold events back
            var cancellation = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping).Token;

            if (!session.Tail)
            {
                await WriteAsync(http, Events(logplex.Recent(appId, session.Filter, count, after)), cancellation);
                return;
            }

            var (history, live) = logplex.Follow(appId, session.Filter, count, after);
            using (live)
            {
                try
                {
                    await WriteAsync(http, $"retry: {RetryMilliseconds}\n\n" + Events(history), cancellation);
                    Task<bool>? waiting = null;
                    while (!cancellation.IsCancellationRequested)
                    {
                        waiting ??= live.WaitToReadAsync(cancellation).AsTask();
                        bool more;
                        try
                        {
                            more = await waiting.WaitAsync(logplex.Settings.KeepAlive, cancellation);
                        }
                        catch (TimeoutException)
                        {
                            await WriteAsync(http, ": keep-alive\n\n", cancellation);
                            continue;
                        }
                        if (!more) return;
                        waiting = null;
                        var batch = new StringBuilder();
                        while (batch.Length < 64 * 1024 && live.TryRead(out var line)) AppendEvent(batch, line);
                        await WriteAsync(http, batch.ToString(), cancellation);
                    }
                }
                catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
                {
                    // The client went away or the platform is stopping.
                }
                catch (IOException)
                {
                    // The connection broke mid-write.
                }
            }
        });
    }

    private static LogSession? Parse(string appId, string sessionId, IQueryCollection query)
    {
        if (!int.TryParse(query["lines"], NumberStyles.None, CultureInfo.InvariantCulture, out var lines)) return null;
        if (!long.TryParse(query["expires"], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)) return null;
        var tail = query["tail"].ToString() switch { "true" => true, "false" => false, _ => (bool?)null };
        if (tail is null) return null;
        var source = query["source"].ToString();
        var dyno = query["dyno"].ToString();
        return new LogSession(appId, sessionId, lines, tail.Value,
            new LogFilter(source.Length == 0 ? null : source, dyno.Length == 0 ? null : dyno), expires);
    }

    private static string Events(IReadOnlyList<LogLine> lines)
    {
        var text = new StringBuilder();
        foreach (var line in lines) AppendEvent(text, line);
        return text.ToString();
    }

    /// <summary><c>id: 1714564800123456</c>, <c>data: 2026-… app[web.1]: hello</c>, blank line. Lines never contain a newline
    /// (the logplex splits them on publishing), so one data line per event.</summary>
    public static void AppendEvent(StringBuilder text, LogLine line) =>
        text.Append("id: ").Append(line.Id.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append("data: ").Append(Logplex.FormatTime(line.Timestamp)).Append(' ')
            .Append(line.Source).Append('[').Append(line.Dyno).Append("]: ").Append(line.Message.Replace('\r', ' ')).Append("\n\n");

    private static async Task WriteAsync(HttpContext http, string text, CancellationToken cancellation)
    {
        if (text.Length > 0) await http.Response.WriteAsync(text, Encoding.UTF8, cancellation);
        await http.Response.Body.FlushAsync(cancellation);
    }
}
