using Nuvem.Platform.Builds.Runtime;
using Nuvem.Platform.Tarballs;

namespace Nuvem.Platform.Builds;

/// <summary>
/// The only part of a build the platform does itself: reading the source's tarball once, checking every entry (no device
/// nodes, fifos, absolute paths, links out of the tree), into a tar of the platform's own that the build dyno unpacks.
/// </summary>
internal sealed class BuildSourceCheck(BuildSettings limits)
{
    /// <summary>
    /// Checks the source tarball entry by entry and spools what passes as a plain tar, capped at the size the build's
    /// /app could hold anyway.
    /// </summary>
    public async Task<TarballFilter.Summary> CheckAsync(Stream source, string target, CancellationToken cancellation)
    {
        var limit = (long)limits.Resources.DiskMb * 1024 * 1024;
        await using var file = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
        var capped = new LimitedWriteStream(file, limit,
            _ => new TarballRejectedException($"it unpacks to more than the build's {limits.Resources.DiskMb} MB"));
        await using var tar = new System.Formats.Tar.TarWriter(capped, System.Formats.Tar.TarEntryFormat.Pax, leaveOpen: true);
        return await TarballFilter.CopyAsync(source, tar, TarballRules.Source, name => name, cancellation);
    }

    /// <summary>
    /// source_blob.url of another host: curl in the build dyno fetches it (http/https only, redirects too), under the
    /// dyno network policy; the platform only reads and checks the bytes it prints.
    /// </summary>
    public async Task<TarballFilter.Summary> DownloadAsync(IBuildDyno dyno, IReadOnlyDictionary<string, string> environment, string url,
        string target, Func<string, Task> say, CancellationToken cancellation)
    {
        await say("-----> Downloading the source");
        TarballFilter.Summary? summary = null;
        var fetched = await dyno.RunAsync(new BuildStep(
            ["curl", "--fail", "--silent", "--show-error", "--location", "--max-redirs", "5", "--proto", "=http,https", "--proto-redir", "=http,https",
             "--max-filesize", limits.MaxSlugBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), "--connect-timeout", "20", "--", url],
            environment, TimeSpan.FromMinutes(10), Output: async stdout =>
            {
                // Nothing at all came: curl failed, and says why on stderr; anything else is checked as a tarball.
                var first = new byte[1];
                if (await stdout.ReadAsync(first, cancellation) == 0) return;
                summary = await CheckAsync(new TarballFilter.PrefixedStream(first, stdout), target, cancellation);
            }), cancellation);
        if (fetched.ExitCode != 0 || summary is null)
            throw new BuildFailedException($"Could not download the source from {SafeUrl(url)}: {BuildSteps.LastLine(fetched.Stderr)}");
        return summary;
    }

    /// <summary>A URL as it may be shown in build output: without credentials or query (signatures, tokens).</summary>
    public static string SafeUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Host}{(uri.IsDefaultPort ? "" : $":{uri.Port}")}{uri.AbsolutePath}" : "(the given URL)";
}
