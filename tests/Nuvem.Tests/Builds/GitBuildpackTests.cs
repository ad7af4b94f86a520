using System.Net;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Builds;

/// <summary>
/// Git buildpacks are cloned inside the build dyno, from its network: a server on a neighbouring network the dyno
/// firewall lets through serves one; the same repository offered on the host's loopback is out of the build's reach.
/// </summary>
public sealed class GitBuildpackTests
{
    [Fact]
    public async Task A_buildpack_from_a_git_url_is_fetched_inside_the_build_dyno()
    {
        // This server's dynos may reach 10/8, where the test's neighbour lives; every other default stays denied.
        await using var server = await NuvemServer.StartNewAsync(new Dictionary<string, string>
        {
            ["NUVEM_DYNO_EGRESS_DENY"] = "172.16.0.0/12,192.168.0.0/16,100.64.0.0/10,169.254.0.0/16",
        });
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
}
