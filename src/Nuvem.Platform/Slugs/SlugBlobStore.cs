using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using Nuvem.Platform.Tarballs;

namespace Nuvem.Platform.Slugs;

/// <summary>A packed slug in the store: content-addressed by its SHA-256, so identical slugs are kept once.</summary>
public sealed record StoredSlug(string Checksum, long Size, string Path);

public sealed class SlugTooLargeException(long limit) : Exception($"Slug is larger than the limit of {Format(limit)}. Add what the app does not need at run time to .slugignore.")
{
    private static string Format(long bytes) => bytes >= 1 << 20 ? $"{bytes / (1 << 20)} MB" : $"{bytes / 1024} kB";
}

/// <summary>An uploaded slug that is not gzip: slugs are <c>tar -czf</c> tarballs, as Heroku's are.</summary>
public sealed class SlugNotGzipException() : Exception("A slug is a gzipped tarball of ./app (tar -czf slug.tgz ./app); this body is not gzip.");

/// <summary>Uploaded bytes that are not the slug that was declared: its checksum says otherwise.</summary>
public sealed class SlugChecksumMismatchException(string expected, string actual)
    : Exception($"The uploaded tarball's checksum is {actual}, but the slug was created with checksum {expected}. Nothing was stored.");

/// <summary>
/// The platform's slugs — gzipped tarballs whose entries live under <c>./app/</c>, as Heroku's do — kept under
/// <c>slugs/sha256/xx/…</c> in the data directory. Every slug enters through <see cref="TarballFilter"/>: whether a build
/// packed it or someone uploaded it, the store never holds a device node, a fifo, or a path that leaves <c>./app</c>.
/// The platform only ever handles a slug's bytes; the tree it describes is unpacked by the app's uid, never by root.
/// </summary>
public sealed class SlugBlobStore(string directory) : ISlugBlobs
{
    /// <summary>The store's own file: dynos on this machine read it where it is (no copy).</summary>
    public Task<string> LocalFileAsync(SlugReference slug, CancellationToken cancellation) =>
        PathFor(slug.Checksum) is { } path && File.Exists(path)
            ? Task.FromResult(path)
            : Task.FromException<string>(new FileNotFoundException($"The tarball of slug {slug.Id} ({slug.Checksum}) is not in the slug store."));

    /// <summary>Where a slug of this checksum is (or would be) kept; null for anything but <c>SHA256:</c> and 64 hex digits.</summary>
    public string? PathFor(string checksum)
    {
        if (!IsChecksum(checksum)) return null;
        var hex = checksum[7..].ToLowerInvariant();
        return Path.Combine(directory, "sha256", hex[..2], hex + ".tgz");
    }

    public static bool IsChecksum(string? checksum) =>
        checksum is { Length: 71 } && checksum.StartsWith("SHA256:", StringComparison.Ordinal) && checksum[7..].All(Uri.IsHexDigit);

    /// <summary>The one spelling the platform keeps a checksum in (hex digits in lower case), so equal ones compare equal.</summary>
    public static string Normalise(string checksum) => IsChecksum(checksum) ? "SHA256:" + checksum[7..].ToLowerInvariant() : checksum;

    /// <summary>Whether the store holds this slug's tarball.</summary>
    public bool Has(string? checksum) => checksum is not null && PathFor(checksum) is { } path && File.Exists(path);

    /// <summary>Removes a slug's tarball; the caller makes sure no slug record holds its checksum any more.</summary>
    public void Delete(string checksum)
    {
        if (PathFor(checksum) is { } path && File.Exists(path)) File.Delete(path);
    }

    /// <summary>
    /// Packs a build's <c>/app</c>, read as a plain tar of its tree (names relative to it), into a slug: entries
    /// <paramref name="ignored"/> (.slugignore) are left out, every other one is checked.
    /// </summary>
    public async Task<StoredSlug> PackAsync(Stream appTree, Func<string, bool> ignored, long maxBytes, CancellationToken cancellation)
    {
        return await StoreAsync(async file =>
        {
            await using var gzip = new GZipStream(new LimitedWriteStream(file, maxBytes, limit => new SlugTooLargeException(limit)), CompressionLevel.Fastest);
            await using var tar = new TarWriter(gzip, TarEntryFormat.Pax);
            await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, "./app/") { Mode = (UnixFileMode)Convert.ToInt32("755", 8) }, cancellation);
            await TarballFilter.CopyAsync(appTree, tar, TarballRules.Slug, name => ignored(name) ? null : "./app/" + name, cancellation);
        }, cancellation);
    }

    /// <summary>Stores an uploaded slug (Heroku's <c>PUT</c> of a slug's blob) as it is, once every entry is checked.</summary>
    /// <exception cref="TarballRejectedException">It is not a tarball of <c>./app/…</c> the platform takes.</exception>
    public Task<StoredSlug> UploadAsync(Stream tarball, long maxBytes, CancellationToken cancellation) =>
        UploadAsync(tarball, maxBytes, expectedChecksum: null, cancellation);

    /// <summary>
    /// Stores an uploaded slug only if it is gzip, every entry passes, and (when <paramref name="expectedChecksum"/> is
    /// given) its bytes hash to that checksum: anything else leaves the store as it was.
    /// </summary>
    /// <exception cref="SlugNotGzipException">The body does not start like gzip.</exception>
    /// <exception cref="SlugChecksumMismatchException">The bytes are not the ones the slug was declared with.</exception>
    /// <exception cref="TarballRejectedException">It is not a tarball of <c>./app/…</c> the platform takes.</exception>
    public async Task<StoredSlug> UploadAsync(Stream tarball, long maxBytes, string? expectedChecksum, CancellationToken cancellation)
    {
        return await StoreAsync(async file =>
        {
            // Sniffed before anything is written: a plain tar, a zip or a JSON body is refused without storing a byte of it.
            var head = new byte[2];
            var read = await tarball.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellation);
            if (read < head.Length || head[0] != 0x1f || head[1] != 0x8b) throw new SlugNotGzipException();
            var limited = new LimitedWriteStream(file, maxBytes, limit => new SlugTooLargeException(limit));
            await limited.WriteAsync(head, cancellation);
            await tarball.CopyToAsync(limited, cancellation);
            await file.FlushAsync(cancellation);
            file.Position = 0;
            var outside = (string?)null;
            await TarballFilter.CopyAsync(file, null, TarballRules.Slug, name =>
            {
                if (name != "app" && !name.StartsWith("app/", StringComparison.Ordinal)) outside ??= name;
                return name;
            }, cancellation);
            if (outside is not null) throw new TarballRejectedException($"A slug holds ./app and what is in it, not {outside}.");
        }, cancellation, expectedChecksum);
    }

    /// <summary>Writes a slug to a file of the store's own, then files it under its checksum (when it is the expected one).</summary>
    private async Task<StoredSlug> StoreAsync(Func<FileStream, Task> write, CancellationToken cancellation, string? expectedChecksum = null)
    {
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $"incoming-{Guid.NewGuid():N}.tgz");
        try
        {
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024, useAsync: true))
                await write(file);
            string checksum;
            await using (var read = File.OpenRead(temporary))
                checksum = "SHA256:" + Convert.ToHexStringLower(await SHA256.HashDataAsync(read, cancellation));
            if (expectedChecksum is not null && !string.Equals(checksum, expectedChecksum, StringComparison.OrdinalIgnoreCase))
                throw new SlugChecksumMismatchException(expectedChecksum, checksum);
            var size = new FileInfo(temporary).Length;
            var final = PathFor(checksum)!;
            Directory.CreateDirectory(Path.GetDirectoryName(final)!);
            if (File.Exists(final)) File.Delete(temporary);
            else File.Move(temporary, final);
            return new StoredSlug(checksum, size, final);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
