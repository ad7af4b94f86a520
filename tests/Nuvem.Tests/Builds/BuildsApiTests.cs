using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Text;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Builds;

/// <summary>Builds from uploaded tarballs (Heroku's Sources and Builds APIs) with live output streams.</summary>
[Collection(ServerCollection.Name)]
public sealed class BuildsApiTests(ServerFixture fixture)
{
    private NuvemServer Server => fixture.Server;

    /// <summary>A gzipped tarball of the given files, all inside one top-level directory (as GitHub archives are).</summary>
    internal static byte[] Tarball(Dictionary<string, string> files, string topDirectory = "myapp-main")
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, topDirectory + "/"));
            foreach (var (name, content) in files)
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, $"{topDirectory}/{name}")
                {
                    DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
                    Mode = name.EndsWith(".sh") ? (UnixFileMode)Convert.ToInt32("755", 8) : (UnixFileMode)Convert.ToInt32("644", 8),
                };
                tar.WriteEntry(entry);
            }
        }
        return buffer.ToArray();
    }

    private async Task<string> UploadAsync(ApiClient api, byte[] tarball)
    {
        var sources = await api.Post("/sources", null);
        Assert.Equal(HttpStatusCode.Created, sources.Status);
        var put = sources.Json["source_blob"]!["put_url"]!.GetValue<string>();
        using var plain = Server.CreateClient(); // no token: the URL carries its own credential
        using var response = await plain.PutAsync(put, new ByteArrayContent(tarball));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return sources.Json["source_blob"]!["get_url"]!.GetValue<string>();
    }

    private async Task<string> ReadStreamAsync(string url)
    {
        using var plain = Server.CreateClient();
        using var response = await plain.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType!.ToString());
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task A_tarball_build_runs_in_the_background_and_its_output_streams_then_stays()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api, "tarball");
        var url = await UploadAsync(api, Tarball(new() { ["Procfile"] = "web: ./run.sh\n", ["run.sh"] = "#!/bin/sh\necho up\n" }));

        var created = await api.Post($"/apps/{app}/builds", new { source_blob = new { url, version = "v1.0-tarball" } });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal("pending", created.Json["status"]!.GetValue<string>());
        var streamUrl = created.Json["output_stream_url"]!.GetValue<string>();

        var live = await ReadStreamAsync(streamUrl);
        Assert.Contains("-----> Procfile app detected", live);
        Assert.Contains("Released v2", live);

        var build = (await api.Get($"/apps/{app}/builds/{created.Json["id"]}")).Json;
        Assert.Equal("succeeded", build["status"]!.GetValue<string>());
        Assert.Equal("v1.0-tarball", build["source_blob"]!["version"]!.GetValue<string>());
        var release = (await api.Get($"/apps/{app}/releases/2")).Json;
        Assert.Equal(release["id"]!.GetValue<string>(), build["release"]!["id"]!.GetValue<string>());
        // The top-level directory was stripped: the Procfile was found and run.sh is at the root of the slug.
        var slug = (await api.Get($"/apps/{app}/slugs/{release["slug"]!["id"]}")).Json;
        Assert.Equal("./run.sh", slug["process_types"]!["web"]!.GetValue<string>());

        // Afterwards the same URL serves the stored output.
        Assert.Equal(live, await ReadStreamAsync(streamUrl));
        using var plain = Server.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await plain.GetAsync(streamUrl.Replace("token=", "token=x"))).StatusCode);
    }

    [Fact]
    public async Task Bad_sources_are_refused_or_fail_the_build_clearly()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api, "badsrc");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await api.Post($"/apps/{app}/builds", new { })).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await api.Post($"/apps/{app}/builds", new { source_blob = new { url = "ftp://x/y.tgz" } })).Status);
        var empty = (await api.Post("/sources", null)).Json["source_blob"]!["get_url"]!.GetValue<string>();
        var notUploaded = await api.Post($"/apps/{app}/builds", new { source_blob = new { url = empty } });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, notUploaded.Status);
        Assert.Contains("PUT the tarball", notUploaded.Json["message"]!.GetValue<string>());

        var garbage = await UploadAsync(api, Encoding.UTF8.GetBytes("this is not a tarball at all, not even close....................."));
        var build = await api.Post($"/apps/{app}/builds", new { source_blob = new { url = garbage } });
        var output = await ReadStreamAsync(build.Json["output_stream_url"]!.GetValue<string>());
        Assert.Contains("The source was refused: Not a valid tar", output);
        Assert.Equal("failed", (await api.Get($"/apps/{app}/builds/{build.Json["id"]}")).Json["status"]!.GetValue<string>());
        Assert.Single((await api.Get($"/apps/{app}/releases")).Array);
    }

    [Fact]
    public async Task Builds_of_one_app_run_one_at_a_time()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api, "serial");
        await api.Send(HttpMethod.Put, $"/apps/{app}/buildpack-installations", new { updates = new[] { new { buildpack = BuildpackTests.StampBuildpack } } });
        var pidFile = Path.Combine(Path.GetTempPath(), $"nuvem-serial-{Guid.NewGuid():N}");
        var url = await UploadAsync(api, Tarball(new() { ["stamp.txt"] = "x", ["sleep"] = "2", ["pidfile"] = pidFile }));

        var first = await api.Post($"/apps/{app}/builds", new { source_blob = new { url } });
        var second = await api.Post($"/apps/{app}/builds", new { source_blob = new { url } });
        var firstOutput = ReadStreamAsync(first.Json["output_stream_url"]!.GetValue<string>());
        var secondOutput = await ReadStreamAsync(second.Json["output_stream_url"]!.GetValue<string>());
        Assert.Contains("Released v2", await firstOutput);
        Assert.Contains($"Waiting for the build in progress on {app} to finish", secondOutput);
        Assert.Contains("Released v3", secondOutput);
        File.Delete(pidFile);
    }
}
