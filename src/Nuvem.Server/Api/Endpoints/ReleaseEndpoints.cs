using Nuvem.Platform;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Operations;
using Nuvem.Platform.Releases;
using Nuvem.Server.Api.Auth;
using Nuvem.Server.Api.Conventions;
using Nuvem.Server.Api.Representations;

namespace Nuvem.Server.Api.Endpoints;

public static class ReleaseEndpoints
{
    public static void MapReleases(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/apps/{app}/releases").RequireAuthorization();
        var fields = new RangeFields<Release>("version", r => r.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), numeric: true)
            .And("id", r => r.Id);

        group.MapGet("", (HttpContext http, string app, AppService apps, ReleaseService releases, Representation json) =>
        {
            var target = apps.Find(http.Caller().Account, app);
            return Pagination.Page(http, range =>
            {
                // Ranges over version are answered by the database; anything else (ids) falls back to the full list.
                long? from = null, to = null;
                var byVersion = range.Field == "version"
                                && (range.Start is null || long.TryParse(range.Start, out var f) && (from = f) is not null)
                                && (range.End is null || long.TryParse(range.End, out var t) && (to = t) is not null);
                return byVersion
                    ? releases.Slice(target, from, range.StartExclusive, to, range.Max + 1, range.Descending)
                    : releases.List(target);
            }, fields, json.Release);
        });

        group.MapGet("/{release}", (HttpContext http, string app, string release, AppService apps, ReleaseService releases, Representation json) =>
            Results.Json(json.Release(releases.Find(apps.Find(http.Caller().Account, app), release))));

        group.MapGet("/{release}/config-vars", (HttpContext http, string app, string release, AppService apps, ReleaseService releases) =>
            Results.Json(releases.Find(apps.Find(http.Caller().Account, app), release).ConfigVars));

        // {"slug": id} releases a slug; {"release": id} rolls back to that release.
        group.MapPost("", async (HttpContext http, string app, AppService apps, DeploySlug deploy, Rollback rollback, Representation json) =>
        {
            var caller = http.Caller().Account;
            var target = apps.Find(caller, app);
            var body = await JsonBody.ReadAsync(http.Request);
            var slug = body.OptionalReference("slug");
            var rollbackTo = body.OptionalReference("release");
            var release = (slug, rollbackTo) switch
            {
                ({ } s, null) => deploy.Run(target, caller.Id, s, body.OptionalString("description")),
                (null, { } r) => rollback.Run(target, caller.Id, r),
                (null, null) => throw PlatformException.Invalid("Give either slug (to deploy it) or release (to roll back to it)."),
                _ => throw PlatformException.Invalid("Give slug or release, not both."),
            };
            return Results.Json(json.Release(release), statusCode: StatusCodes.Status201Created);
        });
    }
}
