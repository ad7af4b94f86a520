using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Nuvem.Platform;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Slugs;
using Nuvem.Server.Api.Auth;
using Nuvem.Server.Api.Conventions;
using Nuvem.Server.Api.Representations;

namespace Nuvem.Server.Api.Endpoints;

public static class SlugEndpoints
{
    public static void MapSlugs(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/apps/{app}/slugs").RequireAuthorization();

        group.MapGet("/{slug}", (HttpContext http, string app, string slug, AppService apps, SlugService slugs, Representation json) =>
            Results.Json(json.Slug(slugs.Get(apps.Find(http.Caller().Account, app), slug))));

        group.MapPost("", async (HttpContext http, string app, AppService apps, SlugService slugs, Representation json) =>
        {
            var target = apps.Find(http.Caller().Account, app);
            var body = await JsonBody.ReadAsync(http.Request);
            if (!body.Root.TryGetProperty("process_types", out var types) || types.ValueKind != JsonValueKind.Object)
                throw PlatformException.Invalid("process_types must be an object like {\"web\": \"node server.js\"}.");
            var processTypes = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var p in types.EnumerateObject())
            {
                processTypes[p.Name] = p.Value.ValueKind == JsonValueKind.String
                    ? p.Value.GetString()!
                    : throw PlatformException.Invalid($"process_types.{p.Name} must be a command string.");
            }
            var (slug, uploadToken) = slugs.Create(target, new SlugSpec(processTypes, body.OptionalString("commit"), body.OptionalString("commit_description"),
                body.OptionalString("buildpack_provided_description"), body.OptionalReference("stack"), body.OptionalString("checksum")));
            return Results.Json(json.Slug(slug, uploadToken), statusCode: StatusCodes.Status201Created);
        });

        // The slug's blob.url: `curl -X PUT -H "Content-Type:" --data-binary @slug.tgz URL`, as to Heroku's S3. The token
        // in the URL is the credential (no Authorization header), so the route is outside the authorised group.
        api.MapPut("/slug-blobs/{slug}", async (HttpContext http, string slug, string? token, SlugUploads uploads) =>
        {
            // Slugs run to NUVEM_SLUG_MAX_MB, past Kestrel's default body limit; the store enforces the slug limit itself.
            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = null;
            await uploads.UploadAsync(slug, token, http.Request.Body, http.RequestAborted);
            return Results.Ok();
        });
    }
}
