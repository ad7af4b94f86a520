using System.Formats.Tar;
using System.Net;
using System.Text.Json.Nodes;
using Nuvem.Tests.Dynos;
using Nuvem.Tests.Infrastructure;
using Nuvem.Tests.Router;

namespace Nuvem.Tests.Slugs;

/// <summary>
/// Slugs made from scratch, Heroku's way: <c>POST /apps/{app}/slugs</c> answers a <c>blob</c> to PUT the gzipped tarball
/// to, the tarball must match the checksum given at POST and pass the tarball filter, and only then can the slug be
/// released. Whatever is refused leaves nothing in the store.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class SlugBlobTests(ServerFixture fixture)
{
    private NuvemServer Server => fixture.Server;

    /// <summary>A tarball no other test (or run) has stored: a stored file of its checksum can only come from this test.</summary>
    private static byte[] UniqueTarball(params TarEntry[] extra) =>
        SlugBlobs.Tarball(new Dictionary<string, string> { ["README"] = Guid.NewGuid().ToString() }, extra);

    private static async Task<JsonNode> PostSlug(ApiClient api, string app, string? checksum, object? processTypes = null)
    {
        var slug = await api.Post($"/apps/{app}/slugs", new { process_types = processTypes ?? new { worker = "sleep 600" }, checksum });
        Assert.True(slug.Status == HttpStatusCode.Created, slug.Text);
        return slug.Json;
    }

    private static string BlobUrl(JsonNode slug) => slug["blob"]!["url"]!.GetValue<string>();

    private void AssertNothingStored(byte[] tarball)
    {
        Assert.False(SlugBlobs.Stored(Server, SlugBlobs.Checksum(tarball)), "a refused tarball is in the slug store");
        Assert.Empty(SlugBlobs.Leftovers(Server));
    }

    private static async Task AssertUnreleasable(ApiClient api, string app, string slugId)
    {
        var release = await api.Post($"/apps/{app}/releases", new { slug = slugId });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, release.Status);
        Assert.Equal("invalid_params", release.ErrorId);
        Assert.Contains("no tarball", release.Json["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_slug_posted_put_and_released_runs_as_a_web_dyno_behind_the_router()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api, "blob");
        var tarball = SlugBlobs.Tarball(SlugBlobs.WebApp("from an uploaded slug"));
        var checksum = SlugBlobs.Checksum(tarball);

        var slug = await PostSlug(api, app, checksum, new { web = "python3 server.py" });
        Assert.Equal("put", slug["blob"]!["method"]!.GetValue<string>());
        Assert.StartsWith($"{Server.ApiUrl}/slug-blobs/{slug["id"]}?token=", BlobUrl(slug));
        Assert.Equal(checksum, slug["checksum"]!.GetValue<string>());
        Assert.Null(slug["size"]);

        var put = await SlugBlobs.PutAsync(Server, BlobUrl(slug), tarball);
        Assert.True(put.Status == HttpStatusCode.OK, put.Body);
        Assert.True(SlugBlobs.Stored(Server, checksum));
        var stored = (await api.Get($"/apps/{app}/slugs/{slug["id"]}")).Json;
        Assert.Equal(tarball.Length, stored["size"]!.GetValue<long>());
        Assert.Null(stored["blob"]); // the upload URL is handed out once

        // A slug's tarball is written once.
        var again = await SlugBlobs.PutAsync(Server, BlobUrl(slug), SlugBlobs.Tarball());
        Assert.Equal(HttpStatusCode.Conflict, again.Status);

        var release = await api.Post($"/apps/{app}/releases", new { slug = slug["id"]!.GetValue<string>() });
        Assert.True(release.Status == HttpStatusCode.Created, release.Text);
        var (status, body) = await DynoApps.Eventually(() => RouterClient.GetAsync(Server.RouterPort, app),
            r => r.Status == HttpStatusCode.OK, TimeSpan.FromSeconds(90), "the uploaded slug's web dyno to answer through the router");
        Assert.Equal("web.1 from an uploaded slug", body);
    }

    [Theory]
    [InlineData("x")]
    [InlineData("SHA256:xyz")]
    [InlineData("MD5:d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85")] // 63 digits
    public async Task A_checksum_that_is_not_sha256_is_refused_when_the_slug_is_created(string checksum)
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api, "blob");
        var slug = await api.Post($"/apps/{app}/slugs", new { process_types = new { web = "./web" }, checksum });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, slug.Status);
        Assert.Equal("invalid_params", slug.ErrorId);
        Assert.Contains("checksum", slug.Json["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bytes_that_do_not_match_the_checksum_are_refused_and_the_slug_stays_unreleasable()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api, "blob");
        var declared = UniqueTarball();
        var other = UniqueTarball();
        var slug = await PostSlug(api, app, SlugBlobs.Checksum(declared));

        var put = await SlugBlobs.PutAsync(Server, BlobUrl(slug), other);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, put.Status);
        Assert.Contains("checksum", put.Body);
        AssertNothingStored(other);
        await AssertUnreleasable(api, app, slug["id"]!.GetValue<string>());

        // The URL still takes the right bytes.
        Assert.Equal(HttpStatusCode.OK, (await SlugBlobs.PutAsync(Server, BlobUrl(slug), declared)).Status);
        Assert.Equal(HttpStatusCode.Created, (await api.Post($"/apps/{app}/releases", new { slug = slug["id"]!.GetValue<string>() })).Status);
    }

    [Theory]
    [InlineData("parent directory", "leaves it")]
    [InlineData("absolute path", "absolute path")]
    [InlineData("device node", "device node")]
    [InlineData("fifo", "fifo")]
    [InlineData("hard link out", "leaves it")]
    [InlineData("outside ./app", "not etc")]
    public async Task A_tarball_reaching_past_app_is_refused_and_nothing_is_stored(string what, string why)
    {
        TarEntry hostile = what switch
        {
            "parent directory" => new PaxTarEntry(TarEntryType.RegularFile, "./app/../../etc/cron.d/x") { DataStream = new MemoryStream("x"u8.ToArray()) },
            "absolute path" => new PaxTarEntry(TarEntryType.RegularFile, "/etc/cron.d/x") { DataStream = new MemoryStream("x"u8.ToArray()) },
            "device node" => new PaxTarEntry(TarEntryType.CharacterDevice, "./app/mem") { DeviceMajor = 1, DeviceMinor = 1 },
            "fifo" => new PaxTarEntry(TarEntryType.Fifo, "./app/pipe"),
            "hard link out" => new PaxTarEntry(TarEntryType.HardLink, "./app/shadow") { LinkName = "../../../etc/shadow" },
            _ => new PaxTarEntry(TarEntryType.RegularFile, "./etc/x") { DataStream = new MemoryStream("x"u8.ToArray()) },
        };
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api, "blob");
        var tarball = UniqueTarball(hostile);
        var slug = await PostSlug(api, app, SlugBlobs.Checksum(tarball));

        var put = await SlugBlobs.PutAsync(Server, BlobUrl(slug), tarball);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, put.Status);
        Assert.Contains("\"invalid_params\"", put.Body);
        Assert.Contains(why, put.Body);
        AssertNothingStored(tarball);
        await AssertUnreleasable(api, app, slug["id"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await api.Get("/account")).Status);
    }

    [Fact]
    public async Task An_upload_without_the_slugs_own_token_is_refused()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api, "blob");
        var tarball = UniqueTarball();
        var slug = await PostSlug(api, app, SlugBlobs.Checksum(tarball));
        var neighbour = await PostSlug(api, app, null);
        var url = BlobUrl(slug);
        var path = url[..url.IndexOf('?')];

        foreach (var wrong in new[]
                 {
                     path, path + "?token=", path + "?token=" + new string('0', 64), path + "?token=" + BlobUrl(neighbour).Split("token=")[1],
                     $"{Server.ApiUrl}/slug-blobs/{Guid.NewGuid()}?token={url.Split("token=")[1]}",
                 })
        {
            var put = await SlugBlobs.PutAsync(Server, wrong, tarball);
            Assert.True(put.Status == HttpStatusCode.NotFound, $"{wrong}: {(int)put.Status} {put.Body}");
            AssertNothingStored(tarball);
        }
        // The API's bearer token is no substitute for the URL's.
        using (var withBearer = Server.CreateClient(Server.AdminToken))
            Assert.Equal(HttpStatusCode.NotFound, (await withBearer.PutAsync(path, new ByteArrayContent(tarball))).StatusCode);
        AssertNothingStored(tarball);
        await AssertUnreleasable(api, app, slug["id"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.OK, (await SlugBlobs.PutAsync(Server, url, tarball)).Status);
    }

    [Fact]
    public async Task A_body_that_is_not_gzip_is_refused_with_415()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api, "blob");
        var slug = await PostSlug(api, app, null);
        var plainTar = new MemoryStream();
        using (var tar = new TarWriter(plainTar, TarEntryFormat.Pax, leaveOpen: true))
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"./app/{Guid.NewGuid()}") { DataStream = new MemoryStream("x"u8.ToArray()) });

        foreach (var body in new[] { plainTar.ToArray(), "{\"not\": \"a slug\"}"u8.ToArray(), [], [0x1f] })
        {
            var put = await SlugBlobs.PutAsync(Server, BlobUrl(slug), body);
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, put.Status);
            Assert.Contains("gzip", put.Body);
            AssertNothingStored(body);
        }
        await AssertUnreleasable(api, app, slug["id"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await SlugBlobs.PutAsync(Server, BlobUrl(slug), UniqueTarball())).Status);
    }

    [Fact]
    public async Task Releasing_or_rolling_back_to_a_slug_without_its_tarball_is_invalid_params()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api, "blob");
        var never = await PostSlug(api, app, null);
        var refused = await api.Post($"/apps/{app}/releases", new { slug = never["id"]!.GetValue<string>() });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Status);
        Assert.Equal("invalid_params", refused.ErrorId);
        Assert.Contains(never["id"]!.GetValue<string>(), refused.Json["message"]!.GetValue<string>());

        // v2 deploys an uploaded slug, v3 changes config; then v2's slug loses its tarball (a damaged row).
        var uploaded = await SlugBlobs.CreateAsync(Server, api, app, new { worker = "sleep 600" }, UniqueTarball());
        Assert.Equal(HttpStatusCode.Created, (await api.Post($"/apps/{app}/releases", new { slug = uploaded })).Status);
        await api.Patch($"/apps/{app}/config-vars", new { COLOR = "red" });
        ServerDatabase.Execute(Server, "UPDATE slugs SET checksum = 'x' WHERE id = @id", new { id = uploaded });

        var rollback = await api.Post($"/apps/{app}/releases", new { release = "2" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, rollback.Status);
        Assert.Equal("invalid_params", rollback.ErrorId);
        Assert.Contains("v2 cannot be rolled back to", rollback.Json["message"]!.GetValue<string>());
        var redeploy = await api.Post($"/apps/{app}/releases", new { slug = uploaded });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, redeploy.Status);
        Assert.Equal([1, 2, 3], (await api.Get($"/apps/{app}/releases")).Array.Select(r => r!["version"]!.GetValue<int>()));
    }
}
