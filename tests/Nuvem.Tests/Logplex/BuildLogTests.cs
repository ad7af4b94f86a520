using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Text;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Logplex;

/// <summary>Builds say three things in the app's log (started, succeeded or failed), never their output.</summary>
[Collection(ServerCollection.Name)]
public sealed class BuildLogTests(ServerFixture fixture)
{
    private NuvemServer Server => fixture.Server;

    [Fact]
    public async Task A_build_logs_started_and_succeeded_or_failed_but_not_its_output()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api, "buildlog");
        await BuildAsync(api, app, Tarball(new() { ["Procfile"] = "web: ./run.sh\n", ["run.sh"] = "#!/bin/sh\necho up\n" }));
        await BuildAsync(api, app, Encoding.UTF8.GetBytes("this is not a tarball at all, not even close....................."));

        var session = await api.Post($"/apps/{app}/log-sessions", new { lines = 100 });
        var lines = (await SseEvents.ReadAllAsync(Server, session.Json["logplex_url"]!.GetValue<string>())).Data
            .Select(LogSessionTests.WithoutTimestamp)
            .Where(l => l.StartsWith("app[api]: ", StringComparison.Ordinal)) // the dyno the release starts speaks too, whenever
            .Skip(2).ToList(); // after the initial release
        var by = $"by user {NuvemServer.AdminEmail}";
        Assert.Equal($"app[api]: Build started {by}", lines[0]);
        Assert.Matches(@"^app\[api\]: Deploy \w+ by user ", lines[1]);
        Assert.Equal($"app[api]: Release v2 created {by}", lines[2]);
        Assert.Equal("app[api]: Build succeeded", lines[3]);
        Assert.Equal([$"app[api]: Build started {by}", "app[api]: Build failed"], lines[4..]);
        Assert.DoesNotContain(lines, l => l.Contains("----->"));
    }

    private async Task BuildAsync(ApiClient api, string app, byte[] tarball)
    {
        var sources = await api.Post("/sources", null);
        using (var plain = Server.CreateClient())
        using (var put = await plain.PutAsync(sources.Json["source_blob"]!["put_url"]!.GetValue<string>(), new ByteArrayContent(tarball)))
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var build = await api.Post($"/apps/{app}/builds", new { source_blob = new { url = sources.Json["source_blob"]!["get_url"]!.GetValue<string>() } });
        Assert.Equal(HttpStatusCode.Created, build.Status);
        using var client = Server.CreateClient();
        await client.GetStringAsync(build.Json["output_stream_url"]!.GetValue<string>()); // ends with the build
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await api.Get($"/apps/{app}/builds/{build.Json["id"]}")).Json["status"]!.GetValue<string>() == "pending")
        {
            Assert.True(DateTime.UtcNow < deadline, "the build did not finish");
            await Task.Delay(50);
        }
    }

    private static byte[] Tarball(Dictionary<string, string> files)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            foreach (var (name, content) in files)
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name)
                {
                    DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
                    Mode = (UnixFileMode)Convert.ToInt32(name.EndsWith(".sh") ? "755" : "644", 8),
                });
            }
        }
        return buffer.ToArray();
    }
}
