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
public sealed class SlugStore(string directory)
{
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

    /// <summary>
    /// Packs a build's <c>/app</c>, read as a plain tar of its tree (names relative to it), into a slug: entries
    /// <paramref name="ignored"/> (.slugignore) are left out, every other one is checked.
    /// </summary>
    public async Task<StoredSlug> PackAsync(Stream appTree, Func<string, bool> ignored, long maxBytes, CancellationToken cancellation)
    {
        return await StoreAsync(async file =>
        {
            await using var gzip = new GZipStream(new LimitedStream(file, maxBytes), CompressionLevel.Fastest);
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
            var limited = new LimitedStream(file, maxBytes);
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

    /// <summary>Stops writing as soon as the slug passes the limit, instead of storing gigabytes first.</summary>
    private sealed class LimitedStream(Stream inner, long limit) : Stream
    {
        private long _written;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _written;
        public override long Position { get => _written; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Count(buffer.Length);
            inner.Write(buffer);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Count(buffer.Length);
            await inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        // The stream is the caller's file: closing the gzip writer over it must not close it.
        protected override void Dispose(bool disposing) { }

        private void Count(int bytes)
        {
            _written += bytes;
            if (_written > limit) throw new SlugTooLargeException(limit);
        }
    }
}
