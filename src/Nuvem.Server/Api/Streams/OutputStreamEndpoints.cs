using Nuvem.Platform.Logplex;
using Nuvem.Server.Api.Conventions;

namespace Nuvem.Server.Api.Streams;

/// <summary>
/// <c>output_stream_url</c>s of builds and release phases: plain text, streamed live while the work runs, then the
/// stored output. No Authorization header (clients fetch it plainly); the signed URL is the credential.
/// </summary>
public static class OutputStreamEndpoints
{
    public static string BuildPath(string buildId) => $"/streams/builds/{buildId}";
    public static string ReleasePath(string releaseId) => $"/streams/releases/{releaseId}";

    public static void MapOutputStreams(this IEndpointRouteBuilder endpoints, Func<string, string, string?> storedPath)
    {
        endpoints.MapGet("/streams/{kind}/{id}", async (HttpContext http, string kind, string id, string? token, SignedUrls urls, OutputLogs logs) =>
        {
            if (kind is not ("builds" or "releases") || !urls.Verify($"/streams/{kind}/{id}", token))
            {
                await ApiError.WriteAsync(http, StatusCodes.Status404NotFound, "not_found", "No such output stream.");
                return;
            }
            http.Response.ContentType = "text/plain; charset=utf-8";
            http.Response.Headers.CacheControl = "no-cache";
            if (logs.Live(id) is { } live)
            {
                await foreach (var line in live.FollowAsync(http.RequestAborted))
                {
                    await http.Response.WriteAsync(line + "\n", http.RequestAborted);
                    await http.Response.Body.FlushAsync(http.RequestAborted);
                }
                return;
            }
            var path = storedPath(kind, id);
            if (path is null || !File.Exists(path))
            {
                http.Response.ContentType = null;
                await ApiError.WriteAsync(http, StatusCodes.Status404NotFound, "not_found", "No output was stored for this stream.");
                return;
            }
            await http.Response.SendFileAsync(path, http.RequestAborted);
        });
    }
}
