using System.Net;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Builds;

/// <summary>
/// What a build fetches — a git buildpack, a source_blob.url — is fetched inside the build dyno, from its network: a
/// server on a neighbouring network the dyno firewall lets through serves it; the same offered on the host's loopback
/// is out of the build's reach, so a URL cannot make the platform call itself (SSRF).
/// </summary>
public sealed class BuildDynoFetchTests
{
    /// <summary>This server's dynos may reach 10/8, where the test's neighbours live; every other default stays denied.</summary>
    private static Task<NuvemServer> StartServerAsync() => NuvemServer.StartNewAsync(new Dictionary<string, string>
    {
        ["NUVEM_DYNO_EGRESS_DENY"] = "172.16.0.0/12,192.168.0.0/16,100.64.0.0/10,169.254.0.0/16",
    });

    [Fact]
    public async Task A_buildpack_from_a_git_url_is_fetched_inside_the_build_dyno()
    {
        await using var server = await StartServerAsync();
        using var api = server.Api();
        using var buildpackRepo = new GitWorkspace(server, copyFrom: BuildpackTests.StampBuildpack);
        buildpackRepo.Commit("buildpack");
        buildpackRepo.Git("branch", "stable");
        var parent = Path.GetDirectoryName(buildpackRepo.Directory)!;
        var name = Path.GetFileName(buildpackRepo.Directory);
        string[] Daemon(string ip, int port) =>
            ["git", "daemon", "--reuseaddr", "--export-all", $"--base-path={parent}", $"--listen={ip}", $"--port={port}"];

        await using var neighbour = await NeighbourNamespace.StartAsync(9418, ip => Daemon(ip, 9418));
        var url = $"git://{neighbour.Ip}/{name}/.git#stable";
        var app = (await api.Post("/apps", new { name = "gitbp" })).Json["name"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, (await api.Send(HttpMethod.Put, $"/apps/{app}/buildpack-installations",
            new { updates = new[] { new { buildpack = url } } })).Status);
        using var source = new GitWorkspace(server).Write("stamp.txt", "x");
        source.Commit();
        var push = (await source.PushAsync(app)).Succeeded();
        Assert.Contains($"-----> Fetching buildpack {url}", push.Output);
        Assert.Contains("-----> Stamping", push.Output);

        // The same repository served on the host's loopback: the host could fetch it, the build dyno cannot.
        var port = Repo.FreePort();
        using var hostDaemon = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(Daemon("127.0.0.1", port)[0], Daemon("127.0.0.1", port)[1..]))!;
        try
        {
            await Dynos.DynoApps.Eventually(async () =>
            {
                using var client = new System.Net.Sockets.TcpClient();
                try { await client.ConnectAsync("127.0.0.1", port); return true; }
                catch (System.Net.Sockets.SocketException) { return false; }
            }, up => up, TimeSpan.FromSeconds(10), "the host's git daemon");
            var hostUrl = $"git://127.0.0.1:{port}/{name}/.git#stable";
            await api.Send(HttpMethod.Put, $"/apps/{app}/buildpack-installations", new { updates = new[] { new { buildpack = hostUrl } } });
            source.Write("stamp.txt", "y").Commit();
            var refused = (await source.PushAsync(app)).Rejected();
            Assert.Contains($"Could not fetch buildpack {hostUrl}", refused.Output);
            Assert.Equal(2, (await api.Get($"/apps/{app}/releases")).Array.Count);
        }
        finally
        {
            hostDaemon.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task A_source_blob_url_is_downloaded_by_the_build_dyno_never_by_the_platform()
    {
        await using var server = await StartServerAsync();
        using var api = server.Api();
        var app = (await api.Post("/apps", new { name = "fetched" })).Json["name"]!.GetValue<string>();
        var files = Directory.CreateTempSubdirectory("nuvem-served-");
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(files.FullName, "app.tgz"), BuildsApiTests.Tarball(new()
            {
                ["Procfile"] = "web: ./run.sh\n",
                ["run.sh"] = "#!/bin/sh\nexec python3 -m http.server \"$PORT\"\n",
            }));
            await using var neighbour = await NeighbourNamespace.StartAsync(8000,
                ip => ["python3", "-m", "http.server", "8000", "--bind", ip], files.FullName);

            var built = await BuildAsync(server, api, app, $"http://{neighbour.Address}/app.tgz?signature=secret");
            Assert.Contains("-----> Downloading the source", built.Output);
            Assert.Contains("Released v2", built.Output);
            Assert.Equal("succeeded", built.Status);

            // The platform's own API, and a service on the host's loopback that counts who calls it: the host could
            // reach both, the build dyno reaches neither, and nothing is asked of them.
            using var hostService = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            hostService.Start();
            var hostPort = ((IPEndPoint)hostService.LocalEndpoint).Port;
            foreach (var url in new[] { $"http://127.0.0.1:{hostPort}/app.tgz", $"http://localhost:{server.ApiPort}/account", $"http://[::1]:{hostPort}/x" })
            {
                var refused = await BuildAsync(server, api, app, url);
                Assert.Equal("failed", refused.Status);
                Assert.Contains("Could not download the source from", refused.Output);
            }
            Assert.False(hostService.Pending(), "the host's loopback service was called from a build");
            Assert.Equal(2, (await api.Get($"/apps/{app}/releases")).Array.Count);
            // A refused URL never shows its query (tokens, signatures) in the output.
            Assert.DoesNotContain("signature=secret", built.Output);
        }
        finally
        {
            files.Delete(recursive: true);
        }
    }

    private static async Task<(string Status, string Output)> BuildAsync(NuvemServer server, ApiClient api, string app, string url)
    {
        var build = await api.Post($"/apps/{app}/builds", new { source_blob = new { url } });
        Assert.Equal(HttpStatusCode.Created, build.Status);
        using var plain = server.CreateClient();
        var output = await plain.GetStringAsync(build.Json["output_stream_url"]!.GetValue<string>());
        var status = (await api.Get($"/apps/{app}/builds/{build.Json["id"]}")).Json["status"]!.GetValue<string>();
        return (status, output);
    }
}
