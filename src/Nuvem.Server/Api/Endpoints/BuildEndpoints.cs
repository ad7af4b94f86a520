using System.Text.Json;
using Nuvem.Platform;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Builds;
using Nuvem.Platform.Dynos;
using Nuvem.Server.Api.Auth;
using Nuvem.Server.Api.Conventions;
using Nuvem.Server.Api.Representations;
using Nuvem.Server.Api.Streams;

namespace Nuvem.Server.Api.Endpoints;

/// <summary>
/// Builds from a source tarball (Heroku's Builds API; what `nuvem deploy` uses): <c>POST /apps/{app}/builds</c>
/// with <c>source_blob.url</c> answers at once with a pending build whose <c>output_stream_url</c> follows it live.
/// </summary>
public static class BuildEndpoints
{
    public static void MapBuilds(this IEndpointRouteBuilder api)
    {
        // Builds are ranged by creation time to the millisecond, ties broken by id, so "newest first" is exact even
        // for builds started within the same second (the JSON shows whole seconds, as Heroku's does).
        var builds = api.MapGroup("/apps/{app}/builds").RequireAuthorization();

        builds.MapGet("", (HttpContext http, string app, AppService apps, BuildStore service, Representation json) =>
        {
            var target = apps.Find(http.Caller().Account, app);
            return Pagination.Page(http, service.List(target),
                new RangeFields<Build>("created_at", b => Nuvem.Platform.State.Timestamp.Format(b.CreatedAt) + " " + b.Id).And("id", b => b.Id), b => json.Build(b, target));
        });

        builds.MapGet("/{build}", (HttpContext http, string app, string build, AppService apps, BuildStore service, Representation json) =>
        {
            var target = apps.Find(http.Caller().Account, app);
            return Results.Json(json.Build(service.Get(target, build), target));
        });

        builds.MapPost("", async (HttpContext http, string app, AppService apps, Builder builder, SourceBlobs sources, Representation json) =>
        {
            var caller = http.Caller().Account;
            var target = apps.Find(caller, app);
            var body = await JsonBody.ReadAsync(http.Request);
            if (!body.Root.TryGetProperty("source_blob", out var blob) || blob.ValueKind != JsonValueKind.Object)
                throw PlatformException.Invalid("source_blob must be an object with the url of a tarball of the source.");
            var url = blob.TryGetProperty("url", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString()! : throw PlatformException.Invalid("source_blob.url is required.");
            var version = blob.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            sources.Check(url);
            var source = sources.SourceFor(url, version);
            var pending = builder.Start(target, caller.Id, source);
            return Results.Json(json.Build(pending.Build, target), statusCode: StatusCodes.Status201Created);
        });
    }
}
