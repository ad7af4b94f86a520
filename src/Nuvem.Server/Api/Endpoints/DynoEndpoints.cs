using Nuvem.Platform.Apps;
using Nuvem.Platform.Dynos;
using Nuvem.Server.Api.Auth;
using Nuvem.Server.Api.Conventions;
using Nuvem.Server.Api.Representations;

namespace Nuvem.Server.Api.Endpoints;

/// <summary>Read-only views of dynos; the dyno manager (a later issue) fills them.</summary>
public static class DynoEndpoints
{
    public static void MapDynos(this IEndpointRouteBuilder api)
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

    }
}
