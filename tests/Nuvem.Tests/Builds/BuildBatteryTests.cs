using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nuvem.Tests.Dynos;
using Nuvem.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Nuvem.Tests.Builds;

/// <summary>
/// The build battery: the dyno isolation battery run from inside a build — from a custom buildpack's bin/compile and
/// from an npm preinstall script — plus what a build could leave for the platform (a git config and hooks, a Procfile
/// linked to /etc/shadow, files under the data directory) and hostile source tarballs. Every attempt fails; afterwards
/// another app's push still works and runs no planted hook, and its dyno kept answering throughout.
/// </summary>
public sealed class BuildBatteryTests(ITestOutputHelper output)
{
    private const int MemoryMb = 256, Pids = 128, DiskMb = 48, CacheMb = 32, TmpMb = 32;

    private static string Fixture(string kind, string name) => Path.Combine(Repo.Root, "tests", "Nuvem.Tests", "Fixtures", kind, name);

    [Fact]
    public async Task Every_attempt_from_inside_a_build_fails_and_other_apps_keep_building_and_serving()
    {
        // The API listens on every address, so that only the dyno firewall stands between a build and it.
        await using var server = await NuvemServer.StartNewAsync(new Dictionary<string, string>
        {
            ["NUVEM_BIND_ADDRESS"] = "*",
            ["NUVEM_BUILD_MEMORY_MB"] = MemoryMb.ToString(),
            ["NUVEM_BUILD_PIDS"] = Pids.ToString(),
            ["NUVEM_BUILD_DISK_MB"] = DiskMb.ToString(),
            ["NUVEM_BUILD_CACHE_MB"] = CacheMb.ToString(),
            ["NUVEM_BUILD_TMP_MB"] = TmpMb.ToString(),
        });
        using var api = server.Api();
        const string secret = "victim-build-secret-5d1c0b";
        var marker = Path.Combine(Path.GetTempPath(), $"nuvem-planted-{Guid.NewGuid():N}");

        await api.Post("/apps", new { name = "victim" });
        await api.Patch("/apps/victim/config-vars", new { VICTIM_TOKEN = secret });
        using var victim = new GitWorkspace(server)
            .Write("Procfile", "web: python3 -m http.server $PORT\n")
            .Write("secret.txt", $"{secret}\n");
        victim.Commit();
        (await victim.PushAsync("victim")).Succeeded();
        var dynos = await DynoApps.Eventually(() => api.Get("/apps/victim/dynos?extended=true"),
            r => r.Array.Any(d => d!["state"]!.GetValue<string>() == "up"), what: "the victim's web dyno up");
        var extended = dynos.Array.First()!["extended"]!;

        using var hostService = new TcpListener(IPAddress.Any, 0);
        hostService.Start();
        await using var neighbour = await NeighbourNamespace.StartHttpAsync();

        var settings = new Dictionary<string, string>
        {
            ["VICTIM_ADDRESS"] = $"{extended["ip"]}:{extended["port"]}",
            ["VICTIM_SECRET_REVERSED"] = new string(secret.Reverse().ToArray()),
            ["HOST_PORTS"] = string.Join(",", server.ApiPort, server.RouterPort, server.RendezvousPort, ((IPEndPoint)hostService.LocalEndpoint).Port),
            ["HOST_PID"] = server.ProcessId.ToString(),
            ["NEIGHBOUR_ADDRESS"] = neighbour.Address,
            ["MEMORY_MB"] = MemoryMb.ToString(),
            ["PIDS"] = Pids.ToString(),
            ["APP_DISK_MB"] = DiskMb.ToString(),
            ["TMP_DISK_MB"] = TmpMb.ToString(),
            ["CACHE_MB"] = CacheMb.ToString(),
            ["DATA_DIR"] = server.DataDir,
            ["PLANTED_MARKER"] = marker,
        };

        // The attacker: a node app (its npm preinstall runs the battery) built after a custom buildpack whose compile
        // runs it too.
        await api.Post("/apps", new { name = "attacker" });
        await api.Send(HttpMethod.Put, "/apps/attacker/buildpack-installations", new
        {
            updates = new[] { new { buildpack = Fixture("buildpacks", "battery") }, new { buildpack = "nodejs" } },
        });
        using var victimLoad = new CancellationTokenSource();
        var load = IsolationTests.KeepAsking(server, "victim", victimLoad.Token);
        using (var attacker = new GitWorkspace(server, Fixture("apps", "isolation-battery"))
                   .Write("battery.json", JsonSerializer.Serialize(settings))
                   .Write("package.json", """{"name":"attacker","version":"1.0.0","scripts":{"preinstall":"python3 battery.py battery.json preinstall","start":"python3 -m http.server $PORT"}}""")
                   .Write("Procfile", "web: npm start\n"))
        {
            attacker.Commit();
            var push = await attacker.PushAsync("attacker");
            var reports = push.Output.Split('\n').Where(l => l.Contains("BATTERY {"))
                .Select(l => JsonNode.Parse(l[(l.IndexOf("BATTERY {", StringComparison.Ordinal) + "BATTERY ".Length)..].Trim())!).ToList();
            Assert.True(reports.Count == 2, push.Output);
            foreach (var report in reports)
            {
                foreach (var result in report["results"]!.AsArray())
                    output.WriteLine($"{report["where"]}: {(result!["succeeded"]!.GetValue<bool>() ? "ESCAPED" : "blocked")}  {result["attempt"]}: {result["detail"]}");
                output.WriteLine($"{report["where"]}: {report["attempts"]} attempts, {report["succeeded"]} succeeded");
            }
            Assert.Equal(["compile", "preinstall"], reports.Select(r => r["where"]!.GetValue<string>()).Order());
            Assert.All(reports, r => Assert.True(r["attempts"]!.GetValue<int>() >= 30, $"{r["where"]}: only {r["attempts"]} attempts ran"));
            Assert.All(reports, r => Assert.Equal(0, r["succeeded"]!.GetValue<int>()));
            // The Procfile linked to /etc/shadow read nothing of the host's: only the buildpack's default types.
            Assert.Contains("Released v", push.Output);
        }
        var formation = (await api.Get("/apps/attacker/formation")).Array.Select(f => f!["type"]!.GetValue<string>()).ToList();
        Assert.DoesNotContain("root", formation);
        Assert.DoesNotContain(formation, t => t.Contains('$') || t.Contains(':'));

        // Sources that are not plain trees are refused before anything is unpacked.
        foreach (var (what, tarball) in HostileSources())
        {
            var url = await UploadAsync(server, api, tarball);
            var build = await api.Post("/apps/attacker/builds", new { source_blob = new { url } });
            using var plain = server.CreateClient();
            var buildOutput = await plain.GetStringAsync(build.Json["output_stream_url"]!.GetValue<string>());
            output.WriteLine($"source with {what}: {buildOutput.Split('\n').FirstOrDefault(l => l.Contains("refused"))}");
            Assert.True(buildOutput.Contains("The source was refused"), $"{what}: {buildOutput}");
        }

        victimLoad.Cancel();
        var (requests, failures) = await load;
        // Afterwards: another app's push builds and releases, and nothing planted ran on the host.
        victim.Write("secret.txt", $"{secret} again\n").Commit();
        (await victim.PushAsync("victim")).Succeeded();
        output.WriteLine($"The victim answered {requests - failures}/{requests} requests with 200 during the attacks.");
        Assert.False(File.Exists(marker), "a hook planted by a build ran on the host");
        Assert.False(File.Exists("/tmp/planted-hooks/post-receive"), "the build wrote the host's /tmp");
        Assert.False(File.Exists(Path.Combine(server.DataDir, "slugs", "planted")));
        Assert.True(requests > 0);
        Assert.Equal(0, failures);
        Assert.Equal(HttpStatusCode.OK, (await api.Get("/account")).Status);
    }

    /// <summary>Tarballs with a device node, a fifo, links out of the tree, an absolute path and a '..' path.</summary>
    private static IEnumerable<(string What, byte[] Tarball)> HostileSources()
    {
        yield return ("a device node", Tar(new PaxTarEntry(TarEntryType.CharacterDevice, "app/null") { DeviceMajor = 1, DeviceMinor = 3 }));
        yield return ("a fifo", Tar(new PaxTarEntry(TarEntryType.Fifo, "app/pipe")));
        yield return ("a symbolic link out of the tree", Tar(new PaxTarEntry(TarEntryType.SymbolicLink, "app/Procfile") { LinkName = "/etc/shadow" }));
        yield return ("a relative link out of the tree", Tar(new PaxTarEntry(TarEntryType.SymbolicLink, "app/up") { LinkName = "../../../../etc" }));
        yield return ("a hard link out of the tree", Tar(new PaxTarEntry(TarEntryType.HardLink, "app/shadow") { LinkName = "/etc/shadow" }));
        yield return ("an absolute path", Tar(RegularFile("/etc/cron.d/planted")));
        yield return ("a '..' path", Tar(RegularFile("app/../../planted")));
    }

    private static PaxTarEntry RegularFile(string name) =>
        new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes("planted\n")) };

    private static byte[] Tar(PaxTarEntry hostile)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "app/Procfile") { DataStream = new MemoryStream("web: true\n"u8.ToArray()) });
            tar.WriteEntry(hostile);
        }
        return buffer.ToArray();
    }

    private static async Task<string> UploadAsync(NuvemServer server, ApiClient api, byte[] tarball)
    {
        var sources = await api.Post("/sources", null);
        using var plain = server.CreateClient();
        using var response = await plain.PutAsync(sources.Json["source_blob"]!["put_url"]!.GetValue<string>(), new ByteArrayContent(tarball));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return sources.Json["source_blob"]!["get_url"]!.GetValue<string>();
    }
}
