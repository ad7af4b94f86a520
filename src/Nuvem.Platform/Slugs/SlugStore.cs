using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using Nuvem.Platform.Builds;

namespace Nuvem.Platform.Slugs;

/// <summary>A packed slug in the store: content-addressed by its SHA-256, so identical slugs are kept once.</summary>
public sealed record StoredSlug(string Checksum, long Size, string Path);

public sealed class SlugTooLargeException(long limit) : Exception($"Slug is larger than the limit of {Format(limit)}. Add what the app does not need at run time to .slugignore.")
{
    private static string Format(long bytes) => bytes >= 1 << 20 ? $"{bytes / (1 << 20)} MB" : $"{bytes / 1024} kB";
}

/// <summary>
/// Packs a built app directory into a slug — a gzipped tarball whose entries live under <c>./app/</c>, as
/// Heroku's do — and keeps it under <c>slugs/sha256/xx/…</c> in the data directory.
/// </summary>
public sealed class SlugStore(string directory)
{
    public string PathFor(string checksum)
    {
        var hex = checksum.StartsWith("SHA256:", StringComparison.Ordinal) ? checksum[7..] : checksum;
        return Path.Combine(directory, "sha256", hex[..2], hex + ".tgz");
    }

    public StoredSlug Pack(string buildDir, long maxBytes)
    {
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $"incoming-{Guid.NewGuid():N}.tgz");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            using (var limited = new LimitedStream(file, maxBytes))
            using (var gzip = new GZipStream(limited, CompressionLevel.Fastest))
            using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
            {
                var ignore = SlugIgnore.Load(buildDir);
                tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "./app/") { Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute });
                AddTree(tar, buildDir, buildDir, ignore);
            }

            string checksum;
            using (var read = File.OpenRead(temporary)) checksum = "SHA256:" + Convert.ToHexStringLower(SHA256.HashData(read));
            var size = new FileInfo(temporary).Length;
            var final = PathFor(checksum);
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

    private static void AddTree(TarWriter tar, string root, string directory, SlugIgnore ignore)
    {
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(root, entry.FullName).Replace('\\', '/');
            if (ignore.Ignores(relative)) continue;
            // WriteEntry keeps modes, symlinks (not followed) and timestamps.
            tar.WriteEntry(entry.FullName, "./app/" + relative + (entry is DirectoryInfo && entry.LinkTarget is null ? "/" : ""));
            if (entry is DirectoryInfo && entry.LinkTarget is null) AddTree(tar, root, entry.FullName, ignore);
        }
    }

    /// <summary>Stops writing as soon as the compressed slug passes the limit, instead of packing gigabytes first.</summary>
    private sealed class LimitedStream(Stream inner, long limit) : Stream
    {
        private long _written;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _written;
        public override long Position { get => _written; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            _written += count;
            if (_written > limit) throw new SlugTooLargeException(limit);
            inner.Write(buffer, offset, count);
        }
    }
}
