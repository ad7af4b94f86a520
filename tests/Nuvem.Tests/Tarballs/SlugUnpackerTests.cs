using System.Formats.Tar;
using System.IO.Compression;
using Nuvem.Platform.Slugs;

namespace Nuvem.Tests.Tarballs;

/// <summary>
/// Unpacking a release's slug beside the previous one: unchanged files are hard links to it, anything changed (content,
/// mode or time) is written anew, and what comes out is exactly the slug (no server: tar on a scratch directory).
/// </summary>
public sealed class SlugUnpackerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("nuvem-unpack-").FullName;
    private static readonly DateTimeOffset Then = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Slug(string name, params (string Path, string? Text, DateTimeOffset Time, string? Link)[] files)
    {
        var path = Path.Combine(_root, name + ".tgz");
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var writer = new TarWriter(gzip, TarEntryFormat.Pax);
        writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "./app/") { Mode = (UnixFileMode)Convert.ToInt32("755", 8) });
        writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "./app/lib/") { Mode = (UnixFileMode)Convert.ToInt32("755", 8) });
        foreach (var (member, text, time, link) in files)
        {
            writer.WriteEntry(link is not null
                ? new PaxTarEntry(TarEntryType.SymbolicLink, member) { LinkName = link, ModificationTime = time }
                : new PaxTarEntry(TarEntryType.RegularFile, member)
                {
                    Mode = (UnixFileMode)Convert.ToInt32("644", 8), ModificationTime = time,
                    DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text!)),
                });
        }
        return path;
    }

    private async Task<(string Directory, int Linked)> UnpackAsync(string slug, string name, string? previous)
    {
        var directory = Path.Combine(_root, "layers", name);
        Directory.CreateDirectory(directory);
        var parent = Path.GetDirectoryName(directory)!;
        var linked = await SlugUnpacker.ExtractAsync(slug, directory, uid: null,
            new SlugReuse(parent, previous, previous is null ? null : Path.Combine(parent, previous + ".manifest"), directory + ".manifest"), CancellationToken.None);
        return (directory, linked);
    }

    [Fact]
    public async Task Unchanged_files_of_the_previous_unpack_are_hard_links_and_changed_ones_are_written()
    {
        var first = Slug("v1",
            ("./app/lib/dep.js", "module.exports = 1;\n", Then, null),
            ("./app/lib/same-size.js", "aaaa\n", Then, null),
            ("./app/lib/touched.js", "same\n", Then, null),
            ("./app/server.js", "console.log('v1');\n", Then, null),
            ("./app/python", null, Then, "/usr/bin/python3"));
        var second = Slug("v2",
            ("./app/lib/dep.js", "module.exports = 1;\n", Then, null),         // unchanged: linked
            ("./app/lib/same-size.js", "bbbb\n", Then, null),                  // same size and time, other content
            ("./app/lib/touched.js", "same\n", Then.AddSeconds(1), null),      // same content, other time
            ("./app/server.js", "console.log('v2');\n", Then, null),
            ("./app/python", null, Then, "/usr/bin/python3"));

        var (v1, linkedFirst) = await UnpackAsync(first, "r1", previous: null);
        Assert.Equal(0, linkedFirst);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(v1 + ".manifest")); // the platform's alone
        var (v2, linked) = await UnpackAsync(second, "r2", previous: "r1");

        Assert.Equal(1, linked);
        Assert.Equal(2, Links(Path.Combine(v2, "app/lib/dep.js")));
        Assert.Equal(1, Links(Path.Combine(v2, "app/lib/same-size.js")));
        Assert.Equal(1, Links(Path.Combine(v2, "app/lib/touched.js")));
        Assert.Equal("bbbb\n", File.ReadAllText(Path.Combine(v2, "app/lib/same-size.js")));
        Assert.Equal("aaaa\n", File.ReadAllText(Path.Combine(v1, "app/lib/same-size.js")));
        Assert.Equal("console.log('v2');\n", File.ReadAllText(Path.Combine(v2, "app/server.js")));
        Assert.Equal("module.exports = 1;\n", File.ReadAllText(Path.Combine(v2, "app/lib/dep.js")));
        Assert.Equal(Then.AddSeconds(1), new DateTimeOffset(File.GetLastWriteTimeUtc(Path.Combine(v2, "app/lib/touched.js"))));
        Assert.Equal("/usr/bin/python3", new FileInfo(Path.Combine(v2, "app/python")).LinkTarget);

        // The previous layer removed, the links' files stay.
        Directory.Delete(v1, recursive: true);
        Assert.Equal("module.exports = 1;\n", File.ReadAllText(Path.Combine(v2, "app/lib/dep.js")));
    }

    [Fact]
    public async Task A_slug_naming_a_path_outside_itself_is_refused_by_the_linking_unpack()
    {
        var slug = Slug("bad", ("./app/../../escape.txt", "x", Then, null));
        await Assert.ThrowsAsync<InvalidDataException>(() => UnpackAsync(slug, "r1", previous: null));
        Assert.False(File.Exists(Path.Combine(_root, "escape.txt")));
    }

    private static int Links(string path)
    {
        var info = new FileInfo(path);
        Assert.True(info.Exists, path);
        return (int)LinkCount(path);
    }

    private static long LinkCount(string path)
    {
        var start = new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%h", path]) { RedirectStandardOutput = true };
        using var stat = System.Diagnostics.Process.Start(start)!;
        var output = stat.StandardOutput.ReadToEnd();
        stat.WaitForExit();
        return long.Parse(output.Trim());
    }
}
