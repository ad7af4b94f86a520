using System.Formats.Tar;
using System.IO.Compression;

namespace Nuvem.Platform.Tarballs;

/// <summary>What a tarball may hold where it enters the platform.</summary>
public enum TarballRules
{
    /// <summary>Build source (a push, <c>nuvem deploy</c>, a source URL): files, directories, and links that stay in the tree.</summary>
    Source,

    /// <summary>
    /// A slug: like source, except that symbolic links may point anywhere. They are only ever resolved inside a dyno, whose
    /// root is the stack (a virtualenv's <c>python → /usr/bin/python3</c> must work there), and the slug is unpacked by
    /// GNU tar as the app's uid, which places such links last so that nothing is written through them.
    /// </summary>
    Slug,
}

/// <summary>A tarball that holds something the platform does not take; the message says which entry and why.</summary>
public sealed class TarballRejectedException(string message) : Exception(message);

/// <summary>
/// Reads a tenant's tarball (plain or gzipped, sniffed) entry by entry and checks each where it enters the platform:
/// no device nodes, fifos or other special files, no absolute names or <c>..</c>, no hard links out of the tree, and
/// (for source) no symbolic links out of it. The platform only reads the bytes here; nothing is unpacked on the host
/// by root. Entries that pass are written to <c>output</c> (as PAX, under the name <c>map</c> gives), or only checked.
/// </summary>
public static class TarballFilter
{
    /// <summary>What the tarball held, for callers that shape it further.</summary>
    /// <param name="SingleTopDirectory">The one directory every entry sits in (GitHub's archives have one), or null.</param>
    public sealed record Summary(int Entries, string? SingleTopDirectory);

    /// <param name="map">Called with each accepted entry's checked, normalised name: the name it gets in the output, or null
    /// to leave it out.</param>
    public static async Task<Summary> CopyAsync(Stream input, TarWriter? output, TarballRules rules, Func<string, string?>? map,
        CancellationToken cancellation)
    {
        await using var reader = new TarReader(await Decompressed(input, cancellation), leaveOpen: true);
        var count = 0;
        string? top = null;
        var single = true;
        try
        {
            while (await reader.GetNextEntryAsync(copyData: false, cancellation) is { } entry)
            {
                if (entry.EntryType == TarEntryType.GlobalExtendedAttributes) continue; // git archive's commit id
                var name = Normalise(entry.Name, entry.EntryType == TarEntryType.Directory);
                if (name is null) continue; // "." itself
                Check(entry, name, rules);
                count++;
                // One top directory: every entry's first name is the same, and only that directory itself sits at the top.
                var first = name.Split('/')[0];
                top ??= first;
                if (top != first || (!name.Contains('/') && entry.EntryType != TarEntryType.Directory)) single = false;

                var mapped = map is null ? name : map(name);
                if (output is null || mapped is null) continue;
                // A new entry, not PaxTarEntry's copy constructor: that one shares the reader's data stream, and giving the
                // copy its own disposes the reader's, which ends the archive early.
                var type = entry.EntryType == TarEntryType.V7RegularFile ? TarEntryType.RegularFile : entry.EntryType;
                var copy = new PaxTarEntry(type, mapped + (type == TarEntryType.Directory && !mapped.EndsWith('/') ? "/" : ""))
                {
                    Mode = entry.Mode,
                    ModificationTime = entry.ModificationTime,
                };
                if (type == TarEntryType.SymbolicLink) copy.LinkName = entry.LinkName;
                if (type == TarEntryType.HardLink) copy.LinkName = map?.Invoke(Normalise(entry.LinkName, false)!) ?? entry.LinkName;
                // A writer on a stream it cannot seek needs to know each file's length up front: a seekable copy of the
                // data, in memory when small, in a file of its own when not (memory stays bounded whatever the tarball).
                await using var data = type == TarEntryType.RegularFile ? await Seekable(entry.DataStream, entry.Length, cancellation) : null;
                if (data is not null) copy.DataStream = data;
                await output.WriteEntryAsync(copy, cancellation);
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or ArgumentException)
        {
            throw new TarballRejectedException($"Not a valid tar or tar.gz archive: {e.Message}");
        }
        return new Summary(count, single && count > 0 ? top : null);
    }

    private static async Task<Stream?> Seekable(Stream? data, long length, CancellationToken cancellation)
    {
        if (data is null || data.CanSeek) return data;
        Stream copy = length <= 8 * 1024 * 1024
            ? new MemoryStream((int)length)
            : new FileStream(Path.Combine(Path.GetTempPath(), "nuvem-tar-" + Guid.NewGuid().ToString("N")), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024,
                FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        await data.CopyToAsync(copy, cancellation);
        copy.Position = 0;
        return copy;
    }

    private static async Task<Stream> Decompressed(Stream input, CancellationToken cancellation)
    {
        var buffered = new BufferedStream(input, 64 * 1024);
        var magic = new byte[2];
        var read = 0;
        while (read < 2 && await buffered.ReadAsync(magic.AsMemory(read), cancellation) is var n and > 0) read += n;
        Stream stream = new PrefixedStream(magic[..read], buffered);
        return read == 2 && magic[0] == 0x1f && magic[1] == 0x8b ? new GZipStream(stream, CompressionMode.Decompress) : stream;
    }

    /// <summary>The entry's name without a leading <c>./</c> or trailing <c>/</c>; null for the root itself.</summary>
    private static string? Normalise(string name, bool directory)
    {
        if (name.StartsWith('/')) throw new TarballRejectedException($"The archive holds an absolute path ({name}).");
        var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToArray();
        if (parts.Any(p => p == "..")) throw new TarballRejectedException($"The archive holds a path that leaves it ({name}).");
        if (name.Contains('\0')) throw new TarballRejectedException("The archive holds a name with a NUL byte.");
        return parts.Length == 0 ? null : string.Join('/', parts);
    }

    private static void Check(TarEntry entry, string name, TarballRules rules)
    {
        switch (entry.EntryType)
        {
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.Directory:
                return;
            case TarEntryType.HardLink:
                // A hard link names another entry of the archive: it must be one (GNU tar would otherwise link to a host file).
                if (Normalise(entry.LinkName, false) is null) throw Rejected(name, "is a hard link to the archive's root");
                return;
            case TarEntryType.SymbolicLink:
                if (rules == TarballRules.Slug) return;
                if (entry.LinkName.StartsWith('/') || !StaysInside(name, entry.LinkName))
                    throw Rejected(name, $"is a link out of the source tree (to {entry.LinkName})");
                return;
            case TarEntryType.CharacterDevice or TarEntryType.BlockDevice:
                throw Rejected(name, "is a device node");
            case TarEntryType.Fifo:
                throw Rejected(name, "is a fifo");
            default:
                throw Rejected(name, $"is of a kind the platform does not take ({entry.EntryType})");
        }
    }

    private static TarballRejectedException Rejected(string name, string why) => new($"The archive entry {name} {why}.");

    /// <summary>Whether a relative link target, seen from the link's directory, stays within the tree.</summary>
    private static bool StaysInside(string name, string target)
    {
        var depth = name.Count(c => c == '/');
        foreach (var part in target.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            depth += part == ".." ? -1 : 1;
            if (depth < 0) return false;
        }
        return true;
    }

    /// <summary>Puts back the bytes read to sniff the format.</summary>
    internal sealed class PrefixedStream(byte[] prefix, Stream rest) : Stream
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
            if (_offset >= prefix.Length) return rest.Read(buffer);
            var n = Math.Min(buffer.Length, prefix.Length - _offset);
            prefix.AsSpan(_offset, n).CopyTo(buffer);
            _offset += n;
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            _offset < prefix.Length ? Read(buffer.Span) : await rest.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }
}
