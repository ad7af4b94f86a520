using Nuvem.Platform;
using Nuvem.Platform.Builds;

namespace Nuvem.Server.Api.Streams;

/// <summary>
/// Source tarballs uploaded for builds, kept in the data directory, and the opening of a build's
/// <c>source_blob.url</c>: our own upload URLs are read from disk; the build dyno downloads other http(s) URLs.
/// </summary>
public sealed class SourceBlobs(string directory, SignedUrls urls, PlatformSettings settings, BuildSettings limits)
{
    /// <summary>How long an upload stays usable (Heroku's source URLs last about an hour; we keep them a day).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(1);

    public static string PathFor(string id) => $"/sources/{id}";

    /// <summary>Removes uploads older than <see cref="Lifetime"/>; run at start, so the directory cannot grow forever.</summary>
    public void RemoveExpired()
    {
        if (!Directory.Exists(directory)) return;
        foreach (var file in new DirectoryInfo(directory).EnumerateFiles())
        {
            if (DateTime.UtcNow - file.LastWriteTimeUtc > Lifetime)
            {
                try { file.Delete(); } catch (IOException) { }
            }
        }
    }

    public bool Verify(string id, string? token) => Guid.TryParse(id, out _) && urls.Verify(PathFor(id), token);

    public string? StoredPath(string id)
    {
        var path = Path.Combine(directory, id + ".tar");
        return Guid.TryParse(id, out _) && File.Exists(path) && DateTime.UtcNow - File.GetLastWriteTimeUtc(path) <= Lifetime ? path : null;
    }

    public async Task StoreAsync(string id, Stream body, CancellationToken cancellation)
    {
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $"{id}.{Guid.NewGuid():N}.part");
        try
        {
            await using (var file = File.Create(temporary))
            {
                var buffer = new byte[81920];
                long total = 0;
                int read;
                while ((read = await body.ReadAsync(buffer, cancellation)) > 0)
                {
                    total += read;
                    if (total > limits.MaxSlugBytes) throw PlatformException.Invalid($"Source is larger than {limits.MaxSlugBytes / (1024 * 1024)} MB.");
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellation);
                }
            }
            File.Move(temporary, Path.Combine(directory, id + ".tar"), overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Refuses unusable URLs before a build is recorded.</summary>
    public void Check(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
            throw PlatformException.Invalid("source_blob.url must be an http(s) URL of a tarball (see POST /sources).");
        if (Own(uri) is { } id && StoredPath(id) is null)
            throw PlatformException.Invalid("Nothing was uploaded to that source URL yet: PUT the tarball to it first.");
    }

    /// <summary>
    /// Our own upload URLs are read from disk; any other URL is downloaded by the build dyno, never by the platform, so a
    /// URL cannot point the platform at its own loopback or private networks.
    /// </summary>
    public BuildSource SourceFor(string url, string? version)
    {
        if (Own(new Uri(url)) is not { } id) return BuildSource.Download(url, version);
        return BuildSource.Held(_ => Task.FromResult<Stream>(
            File.OpenRead(StoredPath(id) ?? throw new BuildFailedException("The uploaded source is gone."))), version, url);
    }

    /// <returns>The upload id when the URL is one of ours with a valid signature.</returns>
    private string? Own(Uri uri)
    {
        if (uri.Port != settings.ApiPort || !uri.AbsolutePath.StartsWith("/sources/", StringComparison.Ordinal)) return null;
        var id = uri.AbsolutePath["/sources/".Length..];
        var token = System.Web.HttpUtility.ParseQueryString(uri.Query)["token"];
        return Verify(id, token) ? id : null;
    }
}
