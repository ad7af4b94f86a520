using Nuvem.Platform;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Dynos;
using Nuvem.Platform.Operations;
using Nuvem.Server.Api.Auth;
using Nuvem.Server.Api.Conventions;
using Nuvem.Server.Api.Representations;
using Nuvem.Server.Rendezvous;

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
        dynos.MapGet("", (HttpContext http, string app, AppService apps, IScheduler manager, Representation json) =>
        {
            var target = apps.Find(http.Caller().Account, app);
            return Pagination.Page(http, manager.List(target), new RangeFields<Dyno>("name", d => d.Name).And("id", d => d.Id), d => json.Dyno(d, target));
        });
        dynos.MapGet("/{dyno}", (HttpContext http, string app, string dyno, AppService apps, IScheduler manager, Representation json) =>
        {
            var target = apps.Find(http.Caller().Account, app);
            var found = manager.List(target).FirstOrDefault(d => d.Name == dyno || d.Id == dyno) ?? throw PlatformException.NotFound("dyno");
            return Results.Json(json.Dyno(found, target));
        });
        // One-off dynos: {"command", "attach", "size", "env", "force_no_tty"} as the heroku CLI sends them.
        dynos.MapPost("", async (HttpContext http, string app, AppService apps, RunOneOff runOneOff, RendezvousSessions rendezvous,
            Nuvem.Server.Configuration.ServerOptions options, Representation json) =>
        {
            var target = apps.Find(http.Caller().Account, app);
            var body = await JsonBody.ReadAsync(http.Request);
            var command = body.RequiredString("command");
            var environment = new Dictionary<string, string>(StringComparer.Ordinal);
            if (body.Root.TryGetProperty("env", out var env) && env.ValueKind != System.Text.Json.JsonValueKind.Null)
            {
                if (env.ValueKind != System.Text.Json.JsonValueKind.Object) throw PlatformException.Invalid("env must be an object of names to values.");
                foreach (var variable in env.EnumerateObject())
                {
                    environment[variable.Name] = variable.Value.ValueKind switch
                    {
                        System.Text.Json.JsonValueKind.String => variable.Value.GetString()!,
                        System.Text.Json.JsonValueKind.Number => variable.Value.GetRawText(), // COLUMNS and LINES come as numbers
                        _ => throw PlatformException.Invalid($"env.{variable.Name} must be a string or a number."),
                    };
                }
            }
            var attach = body.OptionalBool("attach") ?? false;
            // The heroku CLI sends COLUMNS and LINES only when its stdin is a terminal.
            var tty = attach && !(body.OptionalBool("force_no_tty") ?? false) && environment.ContainsKey("COLUMNS");
            var request = new OneOffRequest(command, environment, body.OptionalString("size"), attach, tty);
            var (dyno, attached) = await runOneOff.RunAsync(target, request, body.OptionalString("type") ?? "run");
            string? attachUrl = null;
            if (attached is not null)
            {
                var secret = rendezvous.Open(new RendezvousSessions.Session(target.Id, dyno.Name, attached, tty));
                attachUrl = $"rendezvous://{options.ApiHost}:{options.RendezvousPort}/{secret}";
            }
            return Results.Json(json.Dyno(dyno, target, attachUrl), statusCode: StatusCodes.Status201Created);
        });
        dynos.MapDelete("", async (HttpContext http, string app, AppService apps, RestartDynos restart) =>
            Accepted(await restart.AllAsync(apps.Find(http.Caller().Account, app))));
        // A dyno by name or id, or — as on Heroku, where `heroku ps:restart web` sends DELETE /dynos/web — every dyno
        // of a process type (dyno names always have a dot, process types never do).
        dynos.MapDelete("/{dyno}", async (HttpContext http, string app, string dyno, AppService apps, RestartDynos restart) =>
            Accepted(await restart.DynoOrTypeAsync(apps.Find(http.Caller().Account, app), dyno), "dyno", dyno));
        dynos.MapPost("/{dyno}/actions/stop", async (HttpContext http, string app, string dyno, AppService apps, StopDynos stop) =>
            Accepted(await stop.DynoOrTypeAsync(apps.Find(http.Caller().Account, app), dyno), "dyno", dyno));

        var formations = api.MapGroup("/apps/{app}/formations").RequireAuthorization();
        formations.MapDelete("/{type}", async (HttpContext http, string app, string type, AppService apps, RestartDynos restart) =>
            Accepted(await restart.TypeAsync(apps.Find(http.Caller().Account, app), type), "process type", type));
        formations.MapPost("/{type}/actions/stop", async (HttpContext http, string app, string type, AppService apps, StopDynos stop) =>
            Accepted(await stop.TypeAsync(apps.Find(http.Caller().Account, app), type), "process type", type));
    }

    private static IResult Accepted(int affected, string? what = null, string? name = null) =>
        affected == 0 && what is not null
            ? throw PlatformException.NotFound(what == "dyno" ? "dyno" : "formation", $"Couldn't find that {what} ({name}).")
            : Results.Json(new { }, statusCode: StatusCodes.Status202Accepted);
}
