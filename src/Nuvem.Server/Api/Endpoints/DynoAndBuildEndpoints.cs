using Nuvem.Platform.Apps;
using Nuvem.Platform.Builds;
using Nuvem.Platform.Dynos;
using Nuvem.Server.Api.Auth;
using Nuvem.Server.Api.Conventions;
using Nuvem.Server.Api.Representations;

namespace Nuvem.Server.Api.Endpoints;

/// <summary>Read-only views of dynos and builds; the dyno manager and the builder (later issues) fill them.</summary>
public static class DynoAndBuildEndpoints
{
    public static void MapDynosAndBuilds(this IEndpointRouteBuilder api)
    {
        var dynos = api.MapGroup("/apps/{app}/dynos").RequireAuthorization();
        dynos.MapGet("", (HttpContext http, string app, AppService apps, DynoService service, Representation json) =>
        {
            var target = apps.Find(http.Caller().Account, app);
            return Pagination.Page(http, service.List(target), new RangeFields<Dyno>("name", d => d.Name).And("id", d => d.Id), d => json.Dyno(d, target));
        });
        dynos.MapGet("/{dyno}", (HttpContext http, string app, string dyno, AppService apps, DynoService service, Representation json) =>
        {
            var target = apps.Find(http.Caller().Account, app);
            return Results.Json(json.Dyno(service.Get(target, dyno), target));
        });

        var builds = api.MapGroup("/apps/{app}/builds").RequireAuthorization();
        builds.MapGet("", (HttpContext http, string app, AppService apps, BuildService service, Representation json) =>
        {
            var target = apps.Find(http.Caller().Account, app);
            return Pagination.Page(http, service.List(target),
                new RangeFields<Build>("created_at", b => Representation.Time(b.CreatedAt)).And("id", b => b.Id), b => json.Build(b, target));
        });
        builds.MapGet("/{build}", (HttpContext http, string app, string build, AppService apps, BuildService service, Representation json) =>
        {
            var target = apps.Find(http.Caller().Account, app);
            return Results.Json(json.Build(service.Get(target, build), target));
        });
    }
}
