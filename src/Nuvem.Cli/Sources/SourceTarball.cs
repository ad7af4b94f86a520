using System.Formats.Tar;
using System.IO.Compression;
using Nuvem.Cli.Git;

namespace Nuvem.Cli.Sources;

/// <summary>
/// A gzipped tarball of an app's source for <c>nuvem deploy</c>, in a temporary file deleted on dispose. Entries
/// sit at the root of the archive with their modes (an executable script stays executable) and symbolic links
/// stay links. In a git work tree it holds what git would commit from there: tracked and untracked files minus the
/// ignored ones (<c>git ls-files -co --exclude-standard</c>), including uncommitted changes; elsewhere every file
/// except <c>.git</c>.
/// </summary>
public sealed class SourceTarball : IDisposable
{
    private SourceTarball(string path, int files, long bytes)
    {
        Path = path;
        Files = files;
        Bytes = bytes;
    }

    public string Path { get; }

    public int Files { get; }

    /// <summary>Compressed size.</summary>
    public long Bytes { get; }

    public static SourceTarball Create(string directory)
    {
        var files = ListFiles(directory);
        if (files.Count == 0) throw new CliException($"Nothing to deploy: {directory} has no files (or git ignores all of them).");

        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"nuvem-source-{Guid.NewGuid():N}.tar.gz");
        try
        {
            using (var file = new FileStream(path, new FileStreamOptions
                   {
                       Mode = FileMode.CreateNew,
                       Access = FileAccess.Write,
                       // The source may hold secrets (.env files): only the user may read the copy.
                       UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                   }))
            using (var gzip = new GZipStream(file, CompressionLevel.Optimal))
            using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
            {
                foreach (var relative in files) tar.WriteEntry(System.IO.Path.Combine(directory, relative), relative);
            }
            return new SourceTarball(path, files.Count, new FileInfo(path).Length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(path);
            throw new CliException($"Could not pack {directory}: {e.Message}");
        }
    }

    /// <summary>The commit being deployed, for the build's source version; null outside git or before the first commit.</summary>
    public static string? GitCommit(string directory) =>
        GitProcess.Run(directory, "rev-parse", "--verify", "--quiet", "HEAD") is { Succeeded: true, Output.Length: 40 } result ? result.Output : null;

    public void Dispose() => File.Delete(Path);

    /// <summary>Relative paths with "/" separators, sorted so that the same tree always packs the same way.</summary>
    private static List<string> ListFiles(string directory)
    {
        var listed = GitFiles(directory);
        var files = new List<string>();
        if (listed is null)
        {
            AddTree(directory, "", files);
        }
        else
        {
            foreach (var relative in listed)
            {
                var info = new FileInfo(System.IO.Path.Combine(directory, relative));
                if (info.LinkTarget is not null || info.Exists) files.Add(relative);
                // A submodule is listed as its directory.
                else if (Directory.Exists(info.FullName)) AddTree(info.FullName, relative + "/", files);
                // Anything else was deleted from the work tree but not yet from the index: not part of the source.
            }
        }
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    /// <returns>null when the directory is not in a git work tree.</returns>
    private static List<string>? GitFiles(string directory)
    {
        if (GitProcess.Run(directory, "rev-parse", "--is-inside-work-tree") is not { Succeeded: true, Output: "true" }) return null;
        var result = GitProcess.Run(directory, ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], trim: false);
        if (result is not { Succeeded: true }) throw new CliException($"git ls-files failed in {directory}: {result?.Error ?? "git is not installed"}");
        // A file both modified and tracked is listed once; -co can list a path twice only with unmerged entries.
        return result.Output.Split('\0', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();
    }

    private static void AddTree(string directory, string prefix, List<string> files)
    {
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
        {
            if (entry.Name == ".git") continue;
            var relative = prefix + entry.Name;
            // A symlinked directory is packed as the link, not followed: it may point anywhere, or at itself.
            if (entry is DirectoryInfo && entry.LinkTarget is null) AddTree(entry.FullName, relative + "/", files);
            else files.Add(relative);
        }
    }
}
