using System.Text.Json;
using Nuvem.Platform;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Builds.Buildpacks;
using Nuvem.Server.Api.Auth;
using Nuvem.Server.Api.Conventions;

namespace Nuvem.Server.Api.Endpoints;

/// <summary>The buildpacks an app builds with (Heroku's buildpack-installations; what `buildpacks:set` calls).</summary>
public static class BuildpackEndpoints
{
    public static void MapBuildpackInstallations(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/apps/{app}/buildpack-installations").RequireAuthorization();

        group.MapGet("", (HttpContext http, string app, AppService apps, BuildpackInstallationStore installations) =>
            Results.Json(Represent(installations.List(apps.Find(http.Caller().Account, app)))));

        // {"updates": [{"buildpack": "URL or name"}, …]} replaces the whole ordered list; [] clears it.
        group.MapPut("", async (HttpContext http, string app, AppService apps, BuildpackInstallationStore installations) =>
        {
            var target = apps.Find(http.Caller().Account, app);
            var body = await JsonBody.ReadAsync(http.Request);
            if (!body.Root.TryGetProperty("updates", out var updates) || updates.ValueKind != JsonValueKind.Array)
                throw PlatformException.Invalid("updates must be an array of {\"buildpack\": \"URL\"} objects.");
            var urls = updates.EnumerateArray().Select((item, i) =>
                item.ValueKind == JsonValueKind.Object && item.TryGetProperty("buildpack", out var url) && url.ValueKind == JsonValueKind.String
                    ? url.GetString()!
                    : throw PlatformException.Invalid($"updates[{i}].buildpack must be a buildpack name or URL.")).ToList();
            return Results.Json(Represent(installations.Replace(target, urls)));
        });
    }

    /// <summary>
    /// A buildpack registry for shorthands (<c>heroku buildpacks:set heroku/python</c>): the heroku CLI looks a
    /// <c>namespace/name</c> up at <c>HEROKU_BUILDPACK_REGISTRY_URL/buildpacks/{name}</c>, without credentials, and
    /// installs the <c>blob_url</c> it gets. Here the built-in buildpacks answer under the <c>heroku/</c> and
    /// <c>nuvem/</c> namespaces; the catalog understands both.
    /// </summary>
    public static void MapBuildpackRegistry(this IEndpointRouteBuilder api)
    {
        api.MapGet("/buildpacks/{**shorthand}", (HttpContext http, string shorthand) =>
        {
            var name = Uri.UnescapeDataString(shorthand).Trim('/');
            var parts = name.Split('/');
            if (parts.Length == 2 && parts[0] is "heroku" or "nuvem" && BuildpackCatalog.DetectionOrder.Contains(parts[1]))
                return Results.Json(new { Id = Representations.Representation.StableId("buildpack:" + parts[1]), Namespace = parts[0], Name = parts[1], BlobUrl = name });
            throw PlatformException.NotFound("buildpack",
                $"No buildpack {name} in this platform's registry. Built in: {string.Join(", ", BuildpackCatalog.DetectionOrder.Select(b => "heroku/" + b))}; any other buildpack by its git URL.");
        });
    }

    private static IEnumerable<object> Represent(IReadOnlyList<string> urls) =>
        urls.Select((url, i) => new { Ordinal = i + 1, Buildpack = new { Url = url, Name = url } });
}
