using System.Globalization;
using Nuvem.Platform.AddOns.Postgres.Backups;
using Nuvem.Server.Api.Conventions;
using Nuvem.Server.Api.Streams;

namespace Nuvem.Server.Api.Data;

/// <summary>
/// A backup's public URL (<c>pg:backups:url</c>, <c>pg:backups:download</c>): nuvemd serves the dump at
/// <c>/data/backups/ID?expires=UNIX</c>, signed (<see cref="SignedUrls"/>) over the path and the expiry, for
/// <see cref="Lifetime"/>. Also accepted as a restore's <c>backup_url</c> while it is valid.
/// </summary>
public static class BackupDownloads
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(60);

    public static string PathOf(string transferId) => $"/data/backups/{transferId}";

    public static (string Url, DateTimeOffset ExpiresAt) Sign(SignedUrls urls, string transferId, DateTimeOffset now)
    {
        var expires = now + Lifetime;
        return (urls.Url(PathOf(transferId), "expires=" + expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)), expires);
    }

    /// <returns>The transfer id when <paramref name="path"/> and <paramref name="query"/> carry a valid, unexpired signature.</returns>
    public static string? Verify(SignedUrls urls, string path, string? expires, string? token, DateTimeOffset now)
    {
        if (!path.StartsWith("/data/backups/", StringComparison.Ordinal)) return null;
        var id = path["/data/backups/".Length..];
        if (!Guid.TryParse(id, out _) || !long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var unix)) return null;
        if (DateTimeOffset.FromUnixTimeSeconds(unix) < now) return null;
        return urls.Verify(path, "expires=" + expires, token) ? id : null;
    }

    /// <summary>The transfer a URL of ours names, if it is one of our signed backup URLs.</summary>
    public static string? FromUrl(SignedUrls urls, string url, DateTimeOffset now)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != "https") return null;
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(uri.Query);
        return Verify(urls, uri.AbsolutePath, query.TryGetValue("expires", out var e) ? e.ToString() : null,
            query.TryGetValue("token", out var t) ? t.ToString() : null, now);
    }

    public static void MapBackupDownloads(this IEndpointRouteBuilder endpoints)
    {
        // No Authorization header (the CLI downloads the URL plainly): the signature is the credential.
        endpoints.MapGet("/data/backups/{id}", async (HttpContext http, string id, string? expires, string? token, SignedUrls urls,
            IServiceProvider services) =>
        {
            var backups = services.GetService<PostgresBackups>();
            var transfer = backups is not null && Verify(urls, PathOf(id), expires, token, DateTimeOffset.UtcNow) is { } valid
                ? backups.Store.Find(valid) : null;
            var path = transfer?.File is { } file ? backups!.Engine.PathOf(transfer.Database, file) : null;
            if (transfer is null || path is null || !File.Exists(path))
            {
                await ApiError.WriteAsync(http, StatusCodes.Status404NotFound, "not_found", "No such backup, or the URL has expired.");
                return;
            }
            http.Response.ContentType = "application/octet-stream";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"{transfer.Name}.dump\"";
            await http.Response.SendFileAsync(path, http.RequestAborted);
        });
    }
}
