using Nuvem.Platform.Apps;
using Nuvem.Platform.LogDrains;
using Nuvem.Server.Api.Auth;
using Nuvem.Server.Api.Conventions;
using Nuvem.Server.Api.Representations;

namespace Nuvem.Server.Api.Endpoints;

/// <summary><c>/apps/{app}/log-drains</c>: where an app's log stream is to be copied (stored and listed; not delivered yet).</summary>
public static class LogDrainEndpoints
{
    public static void MapLogDrains(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/apps/{app}/log-drains").RequireAuthorization();
        var fields = new RangeFields<LogDrain>("id", d => d.Id).And("url", d => d.Url);

        group.MapGet("", (HttpContext http, string app, AppService apps, LogDrainService drains, Representation json) =>
        {
            var target = apps.Find(http.Caller().Account, app);
            return Pagination.Page(http, drains.List(target), fields, d => json.LogDrain(d, target));
        });

        group.MapPost("", async (HttpContext http, string app, AppService apps, LogDrainService drains, Representation json) =>
        {
            var target = apps.Find(http.Caller().Account, app);
            var body = await JsonBody.ReadAsync(http.Request);
            return Results.Json(json.LogDrain(drains.Add(target, body.OptionalString("url")), target), statusCode: StatusCodes.Status201Created);
        });

        group.MapGet("/{drain}", (HttpContext http, string app, string drain, AppService apps, LogDrainService drains, Representation json) =>
        {
            var target = apps.Find(http.Caller().Account, app);
            return Results.Json(json.LogDrain(drains.Find(target, Key(drain)), target));
        });

        group.MapDelete("/{drain}", (HttpContext http, string app, string drain, AppService apps, LogDrainService drains, Representation json) =>
        {
            var target = apps.Find(http.Caller().Account, app);
            return Results.Json(json.LogDrain(drains.Remove(target, Key(drain)), target));
        });
    }

    /// <summary>
    /// The heroku CLI names a drain by its URL through encodeURIComponent (<c>syslog%2Btls%3A%2F%2Fhost%3A514</c>).
    /// The server decodes the path except <c>%2F</c> (it would change the route), so finish decoding here.
    /// </summary>
    private static string Key(string segment) => Uri.UnescapeDataString(segment);
}
