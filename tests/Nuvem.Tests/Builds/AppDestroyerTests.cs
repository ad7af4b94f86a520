using System.Net;
using Microsoft.Data.Sqlite;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Builds;

/// <summary>A destroyed app leaves nothing of itself on the platform's disk, and takes nothing of another app's.</summary>
[Collection(ServerCollection.Name)]
public sealed class AppDestroyerTests(ServerFixture fixture)
{
    private NuvemServer Server => fixture.Server;

    private GitWorkspace ProcfileApp(string says) =>
        new GitWorkspace(Server).Write("Procfile", "web: ./web.sh\n").Write("web.sh", $"#!/bin/sh\necho {says}\n", executable: true);

    [Fact]
    public async Task Destroying_an_app_removes_its_repository_cache_slugs_output_and_logs_but_keeps_slugs_other_apps_hold()
    {
        using var api = Server.Api();
        var doomed = await fixture.NewAppAsync(api, "doomed");
        var other = await fixture.NewAppAsync(api, "other");
        var id = (await api.Get($"/apps/{doomed}")).Json["id"]!.GetValue<string>();

        using var first = ProcfileApp("first " + doomed);
        first.Commit();
        (await first.PushAsync(doomed)).Succeeded();
        first.Write("web.sh", $"#!/bin/sh\necho second {doomed}\n", executable: true).Commit("second");
        (await first.PushAsync(doomed)).Succeeded();
        using var theirs = ProcfileApp("theirs " + other);
        theirs.Commit();
        (await theirs.PushAsync(other)).Succeeded();

        var shared = await ChecksumOfRelease(api, doomed, 2);
        var own = await ChecksumOfRelease(api, doomed, 3);
        var theirsChecksum = await ChecksumOfRelease(api, other, 2);
        Assert.Equal(3, new[] { shared, own, theirsChecksum }.Distinct().Count());
        // The other app holds a slug of the same content as the doomed app's first: the store keeps that tarball once.
        var held = await api.Post($"/apps/{other}/slugs", new { process_types = new { web = "./web.sh" }, checksum = shared });
        Assert.Equal(HttpStatusCode.Created, held.Status);

        var repository = Path.Combine(Server.DataDir, "repos", id + ".git");
        var cache = Path.Combine(Server.DataDir, "cache", id);
        var cacheImage = cache + ".img";
        var outputs = (await api.Get($"/apps/{doomed}/builds")).Array.Select(b => Path.Combine(Server.DataDir, "builds", b!["id"]!.GetValue<string>() + ".log")).ToList();
        Assert.True(Directory.Exists(repository));
        Assert.True(File.Exists(cacheImage) || Directory.Exists(cache), "the build left no cache"); // an image with build dynos, a directory without
        Assert.All(outputs, output => Assert.True(File.Exists(output), output));
        Assert.True(LogLines(id) > 0);

        // The current release's slug, unpacked once for its dynos (the web dyno has started on it).
        var layer = Path.Combine(Server.DataDir, "dynos", "layers", (await api.Get($"/apps/{doomed}/releases/3")).Json["id"]!.GetValue<string>());
        await Dynos.DynoApps.Eventually(() => Task.FromResult(Directory.Exists(layer)), present => present, TimeSpan.FromSeconds(30), "the release's slug layer");

        Assert.Equal(HttpStatusCode.OK, (await api.Delete($"/apps/{doomed}")).Status);
        await Dynos.DynoApps.Eventually(() => Task.FromResult(Directory.Exists(layer)), present => !present, TimeSpan.FromSeconds(30), "the slug layer gone");

        Assert.False(Directory.Exists(repository), "the repository is still there");
        Assert.False(Directory.Exists(cache), "the build cache is still there");
        Assert.False(File.Exists(cacheImage), "the build cache image is still there");
        Assert.False(File.Exists(SlugFiles.PathOf(Server, own)), "the app's own slug is still there");
        Assert.True(File.Exists(SlugFiles.PathOf(Server, shared)), "a slug another app holds was removed");
        Assert.True(File.Exists(SlugFiles.PathOf(Server, theirsChecksum)), "another app's slug was removed");
        Assert.All(outputs, output => Assert.False(File.Exists(output), output));
        Assert.Equal(0, LogLines(id));

        // The other app is untouched and builds on.
        theirs.Write("web.sh", "#!/bin/sh\necho again\n", executable: true).Commit("again");
        Assert.Contains("Released v3", (await theirs.PushAsync(other)).Succeeded().Output);
    }

    private static async Task<string> ChecksumOfRelease(ApiClient api, string app, int version)
    {
        var slugId = (await api.Get($"/apps/{app}/releases/{version}")).Json["slug"]!["id"]!.GetValue<string>();
        return (await api.Get($"/apps/{app}/slugs/{slugId}")).Json["checksum"]!.GetValue<string>();
    }

    private long LogLines(string appId)
    {
        using var db = new SqliteConnection($"Data Source={Path.Combine(Server.DataDir, "nuvem.db")};Mode=ReadOnly;Pooling=False");
        db.Open();
        using var count = db.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM log_lines WHERE app_id = $app";
        count.Parameters.AddWithValue("$app", appId);
        return (long)count.ExecuteScalar()!;
    }
}
