using System.Formats.Tar;
using System.IO.Compression;
using Nuvem.Platform.Slugs;
using Nuvem.Platform.Tarballs;

namespace Nuvem.Tests.Tarballs;

/// <summary>What a tenant's tarball may hold where it enters the platform (fast: in memory, no server).</summary>
public sealed class TarballFilterTests
{
    private static MemoryStream Tar(bool gzip, params TarEntry[] entries)
    {
        var bytes = new MemoryStream();
        var target = gzip ? new GZipStream(bytes, CompressionLevel.Fastest, leaveOpen: true) : (Stream)bytes;
        using (var writer = new TarWriter(target, TarEntryFormat.Pax, leaveOpen: true))
            foreach (var entry in entries) writer.WriteEntry(entry);
        if (gzip) target.Dispose();
        bytes.Position = 0;
        return bytes;
    }

    private static PaxTarEntry File(string name, string text = "x") =>
        new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)) };

    private static PaxTarEntry Link(TarEntryType type, string name, string target) => new(type, name) { LinkName = target };

    public static TheoryData<string, TarEntry> Hostile => new()
    {
        { "device node", new PaxTarEntry(TarEntryType.CharacterDevice, "dev/null") { DeviceMajor = 1, DeviceMinor = 3 } },
        { "device node", new PaxTarEntry(TarEntryType.BlockDevice, "disk") { DeviceMajor = 8, DeviceMinor = 0 } },
        { "fifo", new PaxTarEntry(TarEntryType.Fifo, "pipe") },
        { "absolute path", File("/etc/cron.d/x") },
        { "leaves it", File("../../etc/passwd") },
        { "leaves it", File("app/../../x") },
        { "link out of the source tree", Link(TarEntryType.SymbolicLink, "Procfile", "/etc/shadow") },
        { "link out of the source tree", Link(TarEntryType.SymbolicLink, "a/b", "../../x") },
        { "leaves it", Link(TarEntryType.HardLink, "shadow", "../../../etc/shadow") },
        { "absolute path", Link(TarEntryType.HardLink, "shadow", "/etc/shadow") },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task Source_refuses_what_could_reach_past_the_tree(string why, TarEntry entry)
    {
        foreach (var gzip in new[] { false, true })
        {
            var e = await Assert.ThrowsAsync<TarballRejectedException>(() =>
                TarballFilter.CopyAsync(Tar(gzip, File("ok.txt"), entry), null, TarballRules.Source, null, CancellationToken.None));
            Assert.Contains(why, e.Message);
        }
    }

    [Fact]
    public async Task Source_keeps_links_inside_and_finds_one_top_directory()
    {
        var summary = await TarballFilter.CopyAsync(Tar(true,
                new PaxTarEntry(TarEntryType.Directory, "repo-main/"), File("repo-main/a.txt"),
                Link(TarEntryType.SymbolicLink, "repo-main/b", "a.txt"), Link(TarEntryType.SymbolicLink, "repo-main/sub/c", "../a.txt")),
            null, TarballRules.Source, null, CancellationToken.None);
        Assert.Equal(("repo-main", 4), (summary.SingleTopDirectory, summary.Entries));

        var flat = await TarballFilter.CopyAsync(Tar(false, File("./a.txt"), File("./b/c.txt")), null, TarballRules.Source, null, CancellationToken.None);
        Assert.Null(flat.SingleTopDirectory);
        var oneFile = await TarballFilter.CopyAsync(Tar(false, File("README")), null, TarballRules.Source, null, CancellationToken.None);
        Assert.Null(oneFile.SingleTopDirectory);
    }

    [Fact]
    public async Task A_slug_may_link_into_the_stack_but_nothing_else_changes()
    {
        await TarballFilter.CopyAsync(Tar(true, Link(TarEntryType.SymbolicLink, "app/.venv/bin/python", "/usr/bin/python3")),
            null, TarballRules.Slug, null, CancellationToken.None);
        await Assert.ThrowsAsync<TarballRejectedException>(() => TarballFilter.CopyAsync(
            Tar(true, new PaxTarEntry(TarEntryType.Fifo, "app/p")), null, TarballRules.Slug, null, CancellationToken.None));
    }

    [Fact]
    public async Task Garbage_is_a_clear_rejection()
    {
        var e = await Assert.ThrowsAsync<TarballRejectedException>(() => TarballFilter.CopyAsync(
            new MemoryStream(new byte[] { 0x1f, 0x8b, 1, 2, 3, 4, 5 }), null, TarballRules.Source, null, CancellationToken.None));
        Assert.Contains("Not a valid tar", e.Message);
    }

    [Fact]
    public async Task The_store_packs_a_tree_under_app_leaving_out_what_slugignore_names()
    {
        var dir = Directory.CreateTempSubdirectory("nuvem-slugs-");
        try
        {
            var store = new SlugBlobStore(dir.FullName);
            var stored = await store.PackAsync(Tar(false, File("./server.js"), File("./test/spec.js"), File("./test/more/x.js"), File("./web.sh")),
                name => name == "test" || name.StartsWith("test/"), 1 << 20, CancellationToken.None);
            Assert.True(store.Has(stored.Checksum));
            var names = new List<string>();
            await using (var read = new TarReader(new GZipStream(System.IO.File.OpenRead(stored.Path), CompressionMode.Decompress)))
                while (await read.GetNextEntryAsync() is { } entry) names.Add(entry.Name);
            Assert.Equal(["./app/", "./app/server.js", "./app/web.sh"], names);

            await Assert.ThrowsAsync<TarballRejectedException>(() => store.UploadAsync(Tar(true, File("etc/x")), 1 << 20, CancellationToken.None));
            var uploaded = await store.UploadAsync(Tar(true, File("./app/web")), 1 << 20, CancellationToken.None);
            Assert.True(store.Has(uploaded.Checksum));
            Assert.Null(store.PathFor("x"));
            Assert.False(store.Has("SHA256:" + new string('0', 64)));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
