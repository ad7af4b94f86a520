using Nuvem.Platform;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Dynos;
using Nuvem.Server.Api.Auth;
using Nuvem.Server.Api.Conventions;
using Nuvem.Server.Api.Representations;

namespace Nuvem.Server.Api.Endpoints;

/// <summary>
/// Dynos as the dyno manager runs them (<c>ps</c>), and restarting and stopping them: all of an app's,
/// one process type's (<c>/formations/{type}</c>, plural, as the heroku CLI calls it), or one dyno's.
/// </summary>
public static class DynoEndpoints
{
    public static void MapDynos(this IEndpointRouteBuilder api)
    {
        var dynos = api.MapGroup("/apps/{app}/dynos").RequireAuthorization();
        dynos.MapGet("", (HttpContext http, string app, AppService apps, DynoManager manager, Representation json) =>
        {
            var target = apps.Find(http.Caller().Account, app);
            return Pagination.Page(http, manager.List(target), new RangeFields<Dyno>("name", d => d.Name).And("id", d => d.Id), d => json.Dyno(d, target));
        });
        dynos.MapGet("/{dyno}", (HttpContext http, string app, string dyno, AppService apps, DynoManager manager, Representation json) =>
        {
            var target = apps.Find(http.Caller().Account, app);
            var found = manager.List(target).FirstOrDefault(d => d.Name == dyno || d.Id == dyno) ?? throw PlatformException.NotFound("dyno");
            return Results.Json(json.Dyno(found, target));
        });
        dynos.MapDelete("", async (HttpContext http, string app, AppService apps, DynoManager manager) =>
            Accepted(await manager.RestartAsync(apps.Find(http.Caller().Account, app))));
        dynos.MapDelete("/{dyno}", async (HttpContext http, string app, string dyno, AppService apps, DynoManager manager) =>
            Accepted(await manager.RestartAsync(apps.Find(http.Caller().Account, app), name: dyno), "dyno", dyno));
        dynos.MapPost("/{dyno}/actions/stop", async (HttpContext http, string app, string dyno, AppService apps, DynoManager manager) =>
            Accepted(await manager.StopAsync(apps.Find(http.Caller().Account, app), name: dyno), "dyno", dyno));

        var formations = api.MapGroup("/apps/{app}/formations").RequireAuthorization();
        formations.MapDelete("/{type}", async (HttpContext http, string app, string type, AppService apps, DynoManager manager) =>
            Accepted(await manager.RestartAsync(apps.Find(http.Caller().Account, app), type: type), "process type", type));
        formations.MapPost("/{type}/actions/stop", async (HttpContext http, string app, string type, AppService apps, DynoManager manager) =>
            Accepted(await manager.StopAsync(apps.Find(http.Caller().Account, app), type: type), "process type", type));
    }

    private static IResult Accepted(int affected, string? what = null, string? name = null) =>
        affected == 0 && what is not null
            ? throw PlatformException.NotFound(what == "dyno" ? "dyno" : "formation", $"Couldn't find that {what} ({name}).")
            : Results.Json(new { }, statusCode: StatusCodes.Status202Accepted);
}
