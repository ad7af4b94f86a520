using Nuvem.Platform.Apps;
using Nuvem.Platform.Operations;
using Nuvem.Server.Api.Auth;
using Nuvem.Server.Api.Conventions;
using Nuvem.Server.Api.Representations;

namespace Nuvem.Server.Api.Endpoints;

public static class AppEndpoints
{
    public static void MapApps(this IEndpointRouteBuilder api)
    {
        var fields = new RangeFields<App>("name", a => a.Name).And("id", a => a.Id);

        IResult List(HttpContext http, AppService apps, Representation json) =>
            Pagination.Page(http, apps.List(http.Caller().Account), fields, json.App);

        api.MapGet("/apps", List).RequireAuthorization();
        // The heroku CLI lists with /users/~/apps; "~" (or the caller's own email or id) is the caller.
        api.MapGet("/users/{user}/apps", (HttpContext http, string user, AppService apps, Representation json) =>
        {
            var me = http.Caller().Account;
            if (user != "~" && user != me.Id && !user.Equals(me.Email, StringComparison.OrdinalIgnoreCase))
                throw Nuvem.Platform.PlatformException.NotFound("user");
            return List(http, apps, json);
        }).RequireAuthorization();

        api.MapPost("/apps", async (HttpContext http, CreateApp create, Representation json) =>
        {
            var body = await JsonBody.ReadAsync(http.Request);
            var app = await create.RunAsync(http.Caller().Account, body.OptionalString("name"), body.OptionalReference("region"), body.OptionalReference("stack"));
            return Results.Json(json.App(app), statusCode: StatusCodes.Status201Created);
        }).RequireAuthorization();

        var one = api.MapGroup("/apps/{app}").RequireAuthorization();
        one.MapGet("", (HttpContext http, string app, AppService apps, Representation json) =>
            Results.Json(json.App(apps.Find(http.Caller().Account, app))));
        one.MapPatch("", async (HttpContext http, string app, AppService apps, UpdateApp update, Representation json) =>
        {
            var target = apps.Find(http.Caller().Account, app);
            var body = await JsonBody.ReadAsync(http.Request);
            return Results.Json(json.App(await update.RunAsync(http.Caller().Account, target, body.OptionalString("name"), body.OptionalBool("maintenance"))));
        });
        one.MapDelete("", async (HttpContext http, string app, AppService apps, DestroyApp destroy, Representation json) =>
        {
            var target = apps.Find(http.Caller().Account, app);
            await destroy.RunAsync(target);
            return Results.Json(json.App(target));
        });
    }
}
