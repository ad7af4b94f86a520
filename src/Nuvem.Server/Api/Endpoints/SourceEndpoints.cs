using Nuvem.Platform;
using Nuvem.Platform.Builds;
using Nuvem.Server.Api.Conventions;
using Nuvem.Server.Api.Streams;

namespace Nuvem.Server.Api.Endpoints;

/// <summary>
/// Upload space for build sources (Heroku's <c>POST /sources</c>): a signed URL to PUT a tarball to, and the
/// same URL to give a build as <c>source_blob.url</c>.
/// </summary>
public static class SourceEndpoints
{
    public static void MapSources(this IEndpointRouteBuilder api)
    {
        api.MapPost("/sources", (SignedUrls urls) =>
        {
            var url = urls.Url(SourceBlobs.PathFor(Guid.NewGuid().ToString()));
            return Results.Json(new { SourceBlob = new { GetUrl = url, PutUrl = url } }, statusCode: StatusCodes.Status201Created);
        }).RequireAuthorization();

        api.MapPut("/sources/{id}", async (HttpContext http, string id, string? token, SourceBlobs sources) =>
        {
            if (!sources.Verify(id, token))
            {
                await ApiError.WriteAsync(http, StatusCodes.Status404NotFound, "not_found", "No such source upload URL.");
                return;
            }
            await sources.StoreAsync(id, http.Request.Body, http.RequestAborted);
            http.Response.StatusCode = StatusCodes.Status200OK;
        });

        api.MapGet("/sources/{id}", async (HttpContext http, string id, string? token, SourceBlobs sources) =>
        {
            if (!sources.Verify(id, token) || sources.StoredPath(id) is not { } path)
            {
                await ApiError.WriteAsync(http, StatusCodes.Status404NotFound, "not_found", "No such source.");
                return;
            }
            http.Response.ContentType = "application/octet-stream";
            await http.Response.SendFileAsync(path, http.RequestAborted);
        });
    }
}
