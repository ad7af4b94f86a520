using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Nuvem.Platform.Slugs;

/// <summary>
/// What an unpack may reuse from the app's previous unpacked slug: a file of the same path, content, mode and time
/// is hard-linked from it instead of written anew.
/// </summary>
/// <param name="Parent">The directory holding both the target directory and <paramref name="Previous"/> (tar runs there).</param>
/// <param name="Previous">The name of the previous unpacked slug's directory under <paramref name="Parent"/>, or null.</param>
/// <param name="PreviousManifest">The previous unpack's manifest (see <paramref name="Manifest"/>), or null.</param>
/// <param name="Manifest">Where this unpack records its files (path, SHA-256, mode, time), for the next one. The platform's own file.</param>
public sealed record SlugReuse(string Parent, string? Previous, string? PreviousManifest, string Manifest);

/// <summary>
/// Unpacks a slug (a gzipped tar of <c>./app/…</c>) where a dyno will run it. GNU tar rather than .NET's reader:
/// slugs hold symlinks to absolute paths (a virtualenv's <c>python → /usr/bin/python3</c>), right inside a dyno whose
/// root is the stack, and .NET refuses to create those. Run as the app's own uid (when the platform is root) into a
/// directory that uid owns, so that the files are the app's and whatever a slug holds, tar can write nowhere the app
/// itself could not.
/// </summary>
public static class SlugUnpacker
{
    /// <summary>Files up to this size are hashed (in memory) and may be linked; larger ones are always written.</summary>
    private const int MaxLinkedFile = 16 * 1024 * 1024;

    public static Task ExtractAsync(string slugPath, string directory, int? uid, CancellationToken cancellation) =>
        ExtractAsync(slugPath, directory, uid, reuse: null, cancellation);

    /// <summary>
    /// With <paramref name="reuse"/>: the platform reads the slug and hands tar a tar of its own in which every file
    /// the previous unpack holds unchanged is a hard link to it — on a disk where creating a file costs far more than
    /// linking one, a redeploy's unpack is then mostly links (its dependencies are unchanged). The names stay the
    /// slug's, checked again (no absolute paths, no '..'); tar still runs as the app's uid, without -P.
    /// </summary>
    /// <returns>How many files were linked rather than written.</returns>
    public static async Task<int> ExtractAsync(string slugPath, string directory, int? uid, SlugReuse? reuse, CancellationToken cancellation)
    {
        var asApp = uid is { } u && Environment.UserName == "root" && File.Exists("/usr/bin/setpriv");
        var start = new ProcessStartInfo(asApp ? "/usr/bin/setpriv" : "tar")
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asApp)
            foreach (var arg in new[] { "--reuid", uid!.Value.ToString(), "--regid", uid.Value.ToString(), "--clear-groups", "--no-new-privs", "tar" })
                start.ArgumentList.Add(arg);
        // With reuse, tar runs in the parent, where both the new directory and the previous one are (members are
        // named under the new one, links point into the previous one: all relative, nothing absolute). As its working
        // directory, entered before tar starts: the app's uid may pass through the parent but not read it, as -C needs.
        if (reuse is not null) start.WorkingDirectory = reuse.Parent;
        string[] args = reuse is null ? ["-xz", "--no-same-owner", "-C", directory] : ["-x", "--no-same-owner"];
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var tar = Process.Start(start) ?? throw new InvalidOperationException("Could not start tar.");
        var errors = tar.StandardError.ReadToEndAsync(cancellation);
        var linked = 0;
        Dictionary<string, string>? manifest = null;
        Exception? refused = null;
        // The slug store is the platform's: the platform reads it and hands tar the bytes.
        await using (var slug = File.OpenRead(slugPath))
        {
            try
            {
                if (reuse is null) await slug.CopyToAsync(tar.StandardInput.BaseStream, cancellation);
                else (manifest, linked) = await RewriteAsync(slug, tar.StandardInput.BaseStream, Path.GetFileName(directory), reuse, cancellation);
            }
            catch (IOException) { /* tar stopped reading: its exit status says why */ }
            catch (Exception e) when (reuse is not null && e is InvalidDataException or FormatException or ArgumentException or InvalidOperationException)
            {
                refused = e; // the caller unpacks it the plain way
            }
        }
        tar.StandardInput.Close();
        await tar.WaitForExitAsync(cancellation);
        if (refused is not null) throw new InvalidDataException($"The slug cannot be unpacked with links: {refused.Message}", refused);
        if (tar.ExitCode != 0) throw new IOException($"Unpacking the slug failed: {(await errors).Trim()}");
        if (reuse is not null && manifest is not null)
        {
            // The platform's own record of the app's files: readable by nobody else.
            await using (var file = new FileStream(reuse.Manifest, new FileStreamOptions
            {
                Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
            await using (var writer = new StreamWriter(file))
                foreach (var (path, key) in manifest) await writer.WriteLineAsync($"{key}\t{path}");
        }
        return linked;
    }

    /// <summary>Reads a manifest (one "SHA256 MODE TIME SIZE\tPATH" line a file); an unreadable one is empty.</summary>
    private static Dictionary<string, string> ReadManifest(string? path)
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        if (path is null || !File.Exists(path)) return files;
        try
        {
            foreach (var line in File.ReadLines(path))
                if (line.IndexOf('\t') is > 0 and var tab) files[line[(tab + 1)..]] = line[..tab];
        }
        catch (IOException) { files.Clear(); }
        return files;
    }

    private static async Task<(Dictionary<string, string> Manifest, int Linked)> RewriteAsync(Stream slug, Stream output, string target,
        SlugReuse reuse, CancellationToken cancellation)
    {
        var previous = reuse.Previous is null ? new Dictionary<string, string>() : ReadManifest(reuse.PreviousManifest);
        var manifest = new Dictionary<string, string>(StringComparer.Ordinal);
        var linked = 0;
        await using var gzip = new GZipStream(slug, CompressionMode.Decompress);
        await using var reader = new TarReader(gzip);
        await using var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        while (await reader.GetNextEntryAsync(copyData: false, cancellation) is { } entry)
        {
            var name = Relative(entry.Name);
            var renamed = name.Length == 0 ? target + "/" : $"{target}/{name}";
            if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile && entry.Length <= MaxLinkedFile)
            {
                var bytes = new byte[entry.Length];
                if (entry.DataStream is { } data) await data.ReadExactlyAsync(bytes, cancellation);
                var key = $"{Convert.ToHexStringLower(SHA256.HashData(bytes))} {(int)entry.Mode} {entry.ModificationTime.ToUnixTimeSeconds()} {bytes.Length}";
                // A name the manifest's lines cannot hold as it is is never recorded, so never linked.
                var recordable = name.IndexOfAny(['\n', '\r', '\t']) < 0;
                if (recordable) manifest[name] = key;
                if (recordable && reuse.Previous is not null && previous.GetValueOrDefault(name) == key)
                {
                    await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.HardLink, renamed)
                    {
                        LinkName = $"{reuse.Previous}/{name}", Mode = entry.Mode, ModificationTime = entry.ModificationTime,
                    }, cancellation);
                    linked++;
                    continue;
                }
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, renamed)
                {
                    Mode = entry.Mode, ModificationTime = entry.ModificationTime, DataStream = new MemoryStream(bytes, writable: false),
                }, cancellation);
                continue;
            }
            if (entry.EntryType is not (TarEntryType.Directory or TarEntryType.SymbolicLink or TarEntryType.HardLink
                or TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                throw new InvalidDataException($"unexpected {entry.EntryType} entry {entry.Name}");
            var copy = new PaxTarEntry(entry.EntryType == TarEntryType.V7RegularFile ? TarEntryType.RegularFile : entry.EntryType, renamed)
            {
                Mode = entry.Mode, ModificationTime = entry.ModificationTime,
            };
            if (copy.EntryType is TarEntryType.RegularFile) copy.DataStream = entry.DataStream;
            if (entry.EntryType is TarEntryType.SymbolicLink) copy.LinkName = entry.LinkName; // as the slug says: tar guards absolute targets
            else if (entry.EntryType is TarEntryType.HardLink) copy.LinkName = $"{target}/{Relative(entry.LinkName)}";
            await writer.WriteEntryAsync(copy, cancellation);
        }
        return (manifest, linked);
    }

    /// <summary>A slug member's name without its leading "./"; an absolute name or one with '..' is refused.</summary>
    private static string Relative(string name)
    {
        var trimmed = name;
        while (trimmed.StartsWith("./", StringComparison.Ordinal)) trimmed = trimmed[2..];
        if (trimmed == ".") trimmed = "";
        if (trimmed.StartsWith('/') || trimmed.Split('/').Contains("..")) throw new InvalidDataException($"The slug holds a path that leaves it: {name}");
        return trimmed.TrimEnd('/');
    }
}
