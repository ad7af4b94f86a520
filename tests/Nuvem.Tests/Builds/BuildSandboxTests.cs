using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Builds;

/// <summary>
/// Builds run as the app's own unprivileged uid in a memory-capped cgroup: a build step can neither read the
/// platform's secrets nor exhaust the host's memory. Needs root and cgroups (as CI and the platform have).
/// </summary>
public sealed class BuildSandboxTests : IDisposable
{
    private readonly string _buildpack = Directory.CreateTempSubdirectory("nuvem-probe-bp-").FullName;

    public BuildSandboxTests()
    {
        Directory.CreateDirectory(Path.Combine(_buildpack, "bin"));
        Write("detect", "#!/bin/sh\necho Probe\n");
        Write("compile", """
            #!/bin/sh
            data=$(cat "$1/data-dir")
            echo "probe uid=$(id -u)"
            for f in "$data/nuvem.db" "$data/tls/ca.key" "$data/admin-password" "$data/url-signing.key"; do
              if cat "$f" > /dev/null 2>&1; then echo "probe LEAK read $f"; else echo "probe denied $f"; fi
            done
            if [ -n "$(ls -A /root 2> /dev/null)" ]; then echo "probe LEAK listed /root"; fi
            if ls "$data/repos" > /dev/null 2>&1; then echo "probe LEAK listed repos"; fi
            if touch "$data/slugs/planted" 2> /dev/null; then echo "probe LEAK wrote slugs"; fi
            if [ -f "$1/hog" ]; then
              head -c 600m /dev/zero | tail > /dev/null
              status=$?
              echo "probe hog status=$status"
              exit $status
            fi
            exit 0
            """);
    }

    private void Write(string name, string content)
    {
        var path = Path.Combine(_buildpack, "bin", name);
        File.WriteAllText(path, content.Replace("\r\n", "\n"));
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("755", 8));
    }

    [Fact]
    public async Task Build_steps_run_as_the_apps_uid_cannot_read_platform_secrets_and_are_stopped_at_their_memory_limit()
    {
        Assert.True(Environment.UserName == "root", "the sandbox tests need root, as the platform does");
        await using var server = await NuvemServer.StartNewAsync(new Dictionary<string, string> { ["NUVEM_BUILD_MEMORY_MB"] = "128" });
        using var api = server.Api();
        // A buildpack directory the app's uid cannot read is the admin's problem, and said so.
        await api.Post("/apps", new { name = "sandboxed-closed" });
        await api.Send(HttpMethod.Put, "/apps/sandboxed-closed/buildpack-installations", new { updates = new[] { new { buildpack = _buildpack } } });
        using (var closed = new GitWorkspace(server).Write("Procfile", "web: true\n"))
        {
            closed.Commit();
            var refused = (await closed.PushAsync("sandboxed-closed")).Rejected();
            Assert.Contains("bin/detect of", refused.Output);
            Assert.Contains("could not run (exit 126: not executable, or permission denied)", refused.Output);
        }
        File.SetUnixFileMode(_buildpack, (UnixFileMode)Convert.ToInt32("755", 8));

        var uids = new List<int>();
        foreach (var name in new[] { "sandboxed-one", "sandboxed-two" })
        {
            await api.Post("/apps", new { name });
            await api.Send(HttpMethod.Put, $"/apps/{name}/buildpack-installations", new { updates = new[] { new { buildpack = _buildpack } } });
            using var source = new GitWorkspace(server).Write("data-dir", server.DataDir).Write("Procfile", "web: true\n");
            source.Commit();
            var push = (await source.PushAsync(name)).Succeeded();
            var probes = push.Output.Split('\n').Where(l => l.Contains("probe ")).ToList();
            Assert.DoesNotContain(probes, l => l.Contains("LEAK"));
            Assert.Equal(4, probes.Count(l => l.Contains("probe denied")));
            uids.Add(int.Parse(probes.Single(l => l.Contains("uid=")).Split("uid=")[1].Trim()));
        }
        Assert.All(uids, uid => Assert.True(uid >= 20001, $"build ran as uid {uid}"));
        Assert.NotEqual(uids[0], uids[1]);
        Assert.False(File.Exists(Path.Combine(server.DataDir, "slugs", "planted")));

        using var hog = new GitWorkspace(server).Write("data-dir", server.DataDir).Write("Procfile", "web: true\n").Write("hog", "yes");
        hog.Commit();
        var oom = (await hog.PushAsync("sandboxed-one", "+main:main")).Rejected(); // a force push, as for any unrelated history
        Assert.True(oom.Output.Contains("probe hog status=137"), oom.Output);
        Assert.Contains("Build ran out of memory (limit 128 MB)", oom.Output);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await api.Get("/account")).Status);
        Assert.Equal(2, (await api.Get("/apps/sandboxed-one/releases")).Array.Count);
    }

    public void Dispose()
    {
        try { Directory.Delete(_buildpack, recursive: true); } catch (IOException) { }
    }
}
