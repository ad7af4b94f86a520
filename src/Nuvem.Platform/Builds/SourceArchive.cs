using System.Formats.Tar;
using System.IO.Compression;

namespace Nuvem.Platform.Builds;

/// <summary>
/// Unpacks build source: a tar or a gzipped tar (what git archive and <c>nuvem deploy</c> send, or a
/// tarball URL given to the Builds API). A tarball whose entries all sit in one top-level directory —
/// GitHub's archives do — has that directory stripped, as Heroku does.
/// </summary>
public static class SourceArchive
{
    public static async Task ExtractAsync(Stream source, string target, CancellationToken cancellation)
    {
        var buffered = new BufferedStream(source, 64 * 1024);
        var magic = new byte[2];
        var read = await ReadPrefixAsync(buffered, magic, cancellation);
        Stream input = new PrefixedStream(magic.AsMemory(0, read).ToArray(), buffered);
        if (read == 2 && magic[0] == 0x1f && magic[1] == 0x8b) input = new GZipStream(input, CompressionMode.Decompress);
        try
        {
            await TarFile.ExtractToDirectoryAsync(input, target, overwriteFiles: true, cancellation);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new BuildFailedException($"The source is not a valid tar or tar.gz archive: {e.Message}");
        }
        StripSingleTopDirectory(target);
    }

    private static async Task<int> ReadPrefixAsync(Stream stream, byte[] buffer, CancellationToken cancellation)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(total), cancellation);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    private static void StripSingleTopDirectory(string target)
    {
        var entries = Directory.GetFileSystemEntries(target);
        if (entries.Length != 1 || !Directory.Exists(entries[0]) || new DirectoryInfo(entries[0]).LinkTarget is not null) return;
        var top = entries[0];
        // A top directory named like a file inside it would collide; move it aside first.
        var aside = Path.Combine(target, ".nuvem-strip-" + Guid.NewGuid().ToString("N"));
        Directory.Move(top, aside);
        foreach (var entry in Directory.GetFileSystemEntries(aside))
        {
            var destination = Path.Combine(target, Path.GetFileName(entry));
            if (Directory.Exists(entry) && new DirectoryInfo(entry).LinkTarget is null) Directory.Move(entry, destination);
            else File.Move(entry, destination);
        }
        Directory.Delete(aside);
    }

    /// <summary>Puts back the bytes read to sniff the format.</summary>
    private sealed class PrefixedStream(byte[] prefix, Stream rest) : Stream
    {
        private int _offset;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_offset < prefix.Length)
            {
                var n = Math.Min(buffer.Length, prefix.Length - _offset);
                prefix.AsSpan(_offset, n).CopyTo(buffer);
                _offset += n;
                return n;
            }
            return rest.Read(buffer);
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_offset < prefix.Length) return Read(buffer.Span);
            return await rest.ReadAsync(buffer, cancellationToken);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }
}
