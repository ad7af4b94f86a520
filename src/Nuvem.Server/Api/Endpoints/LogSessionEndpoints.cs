using Nuvem.Platform;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Logplex;
using Nuvem.Server.Api.Auth;
using Nuvem.Server.Api.Conventions;
using Nuvem.Server.Api.Representations;
using Nuvem.Server.Api.Streams;

namespace Nuvem.Server.Api.Endpoints;

/// <summary>
/// <c>POST /apps/{app}/log-sessions</c> <c>{"lines": 100, "tail": false, "source": "app", "dyno": "web.1"}</c>: answers
/// with a <c>logplex_url</c> that serves the app's log as Server-Sent Events (see <see cref="LogStreamEndpoints"/>).
/// The URL carries its own credential and the session's parameters, so nothing is stored per session.
/// </summary>
public static class LogSessionEndpoints
{
    public const int DefaultLines = 100;

    public static void MapLogSessions(this IEndpointRouteBuilder api)
    {
        api.MapPost("/apps/{app}/log-sessions", async (HttpContext http, string app, AppService apps, SignedUrls urls,
            LogplexSettings settings, TimeProvider time) =>
        {
            var target = apps.Find(http.Caller().Account, app);
            var body = await JsonBody.ReadAsync(http.Request);
            var lines = body.OptionalInteger("lines") ?? DefaultLines;
            if (lines < 0) throw PlatformException.Invalid($"lines must be 0 or more (at most {settings.MaxLinesPerApp} are kept), not {lines}.");
            var session = new LogSession(
                target.Id,
                Guid.NewGuid().ToString(),
                (int)Math.Min(lines, settings.MaxLinesPerApp),
                body.OptionalBool("tail") ?? false,
                LogFilter.Parse(body.OptionalString("source"), body.OptionalString("dyno")),
                time.GetUtcNow().Add(settings.SessionLifetime).ToUnixTimeSeconds());
            var now = Representation.Time(time.GetUtcNow());
            return Results.Json(new
            {
                session.Id,
                LogplexUrl = urls.Url(session.Path, session.Query),
                CreatedAt = now,
                UpdatedAt = now,
            }, statusCode: StatusCodes.Status201Created);
        }).RequireAuthorization();
    }
}
