using System.Text.RegularExpressions;
using System.Net;
using System.Text.Json.Nodes;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Dynos;

/// <summary>The dyno manager running real processes from real pushed slugs.</summary>
public sealed class DynoManagerTests
{
    private static async Task<JsonArray> Dynos(ApiClient api, string app) =>
        (await api.Get($"/apps/{app}/dynos?extended=true")).Array;

    private static async Task<string> Ask(JsonNode dyno)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var extended = dyno["extended"]!;
        return (await http.GetStringAsync($"http://{extended["ip"]}:{extended["port"]}/")).Trim();
    }

    private static async Task<JsonArray> WaitForUp(ApiClient api, string app, int web, string? release = null) =>
        await DynoApps.Eventually(() => Dynos(api, app),
            dynos => dynos.Count(d => d!["type"]!.GetValue<string>() == "web" && d["state"]!.GetValue<string>() == "up"
                                      && (release is null || d["release"]!["version"]!.ToString() == release)) == web
                     && dynos.Count(d => d!["type"]!.GetValue<string>() == "web") == web,
            what: $"{web} web dynos up");

    [Fact]
    public async Task A_release_runs_as_dynos_that_scale_restart_and_follow_config_changes()
    {
        await using var server = await NuvemServer.StartNewAsync();
        using var api = server.Api();
        await api.Post("/apps", new { name = "runner" });
        using var source = DynoApps.Web(server);
        source.Commit();
        (await source.PushAsync("runner")).Succeeded(); // v2: web=1, worker=0

        var dynos = await WaitForUp(api, "runner", 1);
        var web = Assert.Single(dynos);
        Assert.Equal("web.1", web!["name"]!.GetValue<string>());
        Assert.Equal("python3 server.py", web["command"]!.GetValue<string>());
        Assert.Equal(2, web["release"]!["version"]!.GetValue<int>());
        Assert.Equal("Basic", web["size"]!.GetValue<string>());
        Assert.Equal("web.1 none", await Ask(web));

        // Scale: three web dynos, each its own process answering as itself, and a worker.
        await api.Patch("/apps/runner/formation", new { updates = new object[] { new { type = "web", quantity = "3" }, new { type = "worker", quantity = 1 } } });
        dynos = await WaitForUp(api, "runner", 3);
        var answers = await Task.WhenAll(dynos.Where(d => d!["type"]!.GetValue<string>() == "web").Select(d => Ask(d!)));
        Assert.Equal(["web.1 none", "web.2 none", "web.3 none"], answers.Order());
        Assert.Contains(dynos, d => d!["name"]!.GetValue<string>() == "worker.1" && d["state"]!.GetValue<string>() == "up");

        // A config change is a new release: every dyno is replaced and serves the new value.
        var before = dynos.Select(d => d!["id"]!.GetValue<string>()).ToHashSet();
        await api.Patch("/apps/runner/config-vars", new { COLOR = "teal" }); // v3
        dynos = await WaitForUp(api, "runner", 3, release: "3");
        Assert.All(dynos, d => Assert.DoesNotContain(d!["id"]!.GetValue<string>(), before));
        Assert.All(await Task.WhenAll(dynos.Where(d => d!["type"]!.GetValue<string>() == "web").Select(d => Ask(d!))), a => Assert.EndsWith(" teal", a));
        await DynoApps.Eventually(() => Dynos(api, "runner"), ds => ds.Count == 4, what: "old dynos gone");

        // Restart one dyno, then the web type: new processes, same names.
        var web2 = dynos.Single(d => d!["name"]!.GetValue<string>() == "web.2")!["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.Accepted, (await api.Delete("/apps/runner/dynos/web.2")).Status);
        await DynoApps.Eventually(() => Dynos(api, "runner"),
            ds => ds.Any(d => d!["name"]!.GetValue<string>() == "web.2" && d["id"]!.GetValue<string>() != web2 && d["state"]!.GetValue<string>() == "up"),
            what: "web.2 restarted");
        Assert.Equal(HttpStatusCode.Accepted, (await api.Delete("/apps/runner/formations/web")).Status);
        // At once again, while those dynos are still stopping: already restarting is not "no such process type".
        Assert.Equal(HttpStatusCode.Accepted, (await api.Delete("/apps/runner/formations/web")).Status);
        // A process type where a dyno name goes (`heroku ps:restart web`), as on Heroku.
        Assert.Equal(HttpStatusCode.Accepted, (await api.Delete("/apps/runner/dynos/web")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.Delete("/apps/runner/dynos/clock")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.Delete("/apps/runner/dynos/web.9")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.Send(HttpMethod.Post, "/apps/runner/formations/clock/actions/stop", null)).Status);

        // Scale down to nothing.
        await api.Patch("/apps/runner/formation", new { updates = new object[] { new { type = "web", quantity = 0 }, new { type = "worker", quantity = 0 } } });
        await DynoApps.Eventually(() => Dynos(api, "runner"), ds => ds.Count == 0, what: "no dynos");
        var logs = await DynoApps.Logs(server, api, "runner");
        Assert.Contains("heroku[web.1]: State changed from starting to up", logs);
        Assert.Contains("heroku[web.1]: Starting process with command `python3 server.py`", logs);
        Assert.Contains("app[web.1]: listening on", logs);
        Assert.Contains("heroku[worker.1]: Stopping all processes with SIGTERM", logs);
        Assert.Contains("app[worker.1]: working", logs);
    }

    [Fact]
    public async Task Crashes_restart_with_growing_cool_offs_and_a_web_dyno_that_never_binds_gets_R10()
    {
        await using var server = await NuvemServer.StartNewAsync(new Dictionary<string, string> { ["NUVEM_BOOT_TIMEOUT"] = "2" });
        using var api = server.Api();
        await api.Post("/apps", new { name = "crashy" });
        using var source = new GitWorkspace(server).Write("Procfile", "web: sleep 600\nworker: echo boom; exit 3\n");
        source.Commit();
        (await source.PushAsync("crashy")).Succeeded();
        await api.Patch("/apps/crashy/formation", new { updates = new object[] { new { type = "worker", quantity = 1 } } });

        Task<string> Logs() => DynoApps.Logs(server, api, "crashy");
        await DynoApps.Eventually(Logs, o => o.Contains("heroku[web.1]: Error R10 (Boot timeout)"), TimeSpan.FromSeconds(20), "R10");
        await Task.Delay(TimeSpan.FromSeconds(9));
        var logs = await Logs();
        var workerStarts = logs.Split('\n').Count(l => l.Contains("heroku[worker.1]: Starting process"));
        // Immediate restart, then 2 s, 4 s, 8 s… cool-offs: a handful of starts in ~10 s, not dozens.
        Assert.InRange(workerStarts, 3, 6);
        Assert.Contains("app[worker.1]: boom", logs);
        Assert.Contains("heroku[worker.1]: Process exited with status 3", logs);
        Assert.Contains("heroku[worker.1]: State changed from up to crashed", logs);
        var worker = (await Dynos(api, "crashy")).Single(d => d!["name"]!.GetValue<string>() == "worker.1");
        Assert.Contains(worker!["state"]!.GetValue<string>(), new[] { "crashed", "up", "starting" });

        // A new release resets the cool-off: the worker starts again at once.
        var before = (await Logs()).Split('\n').Count(l => l.Contains("heroku[worker.1]: Starting process"));
        await api.Patch("/apps/crashy/config-vars", new { RESET = "1" });
        await DynoApps.Eventually(async () => (await Logs()).Split('\n').Count(l => l.Contains("heroku[worker.1]: Starting process")),
            n => n > before, TimeSpan.FromSeconds(5), "a fresh start after the new release");
    }

    [Fact]
    public async Task A_dyno_ignoring_SIGTERM_is_killed_after_the_grace_with_R12()
    {
        await using var server = await NuvemServer.StartNewAsync(new Dictionary<string, string> { ["NUVEM_STOP_GRACE"] = "2" });
        using var api = server.Api();
        await api.Post("/apps", new { name = "stubborn" });
        using var source = new GitWorkspace(server).Write("Procfile", "worker: trap '' TERM; while true; do sleep 1; done\n");
        source.Commit();
        (await source.PushAsync("stubborn")).Succeeded();
        await api.Patch("/apps/stubborn/formation", new { updates = new object[] { new { type = "worker", quantity = 1 } } });
        await DynoApps.Eventually(() => Dynos(api, "stubborn"), ds => ds.Any(d => d!["state"]!.GetValue<string>() == "up"), what: "worker up");

        await api.Patch("/apps/stubborn/formation", new { updates = new object[] { new { type = "worker", quantity = 0 } } });
        var logs = await DynoApps.Eventually(() => DynoApps.Logs(server, api, "stubborn"), o => o.Contains("Error R12 (Exit timeout)"), TimeSpan.FromSeconds(15), "R12");
        Assert.Contains("heroku[worker.1]: Stopping all processes with SIGTERM", logs);
        Assert.Contains("heroku[worker.1]: Stopping remaining processes with SIGKILL", logs);
        await DynoApps.Eventually(() => Dynos(api, "stubborn"), ds => ds.Count == 0, what: "dyno gone");
    }

    [Fact]
    public async Task Dynos_keep_serving_while_the_platform_is_down_and_are_adopted_after_a_restart()
    {
        await using var server = await NuvemServer.StartNewAsync();
        using var api = server.Api();
        await api.Post("/apps", new { name = "phoenix" });
        using var source = DynoApps.Web(server, "ticker: sh -c 'n=0; while true; do n=$((n+1)); echo tick $n; sleep 0.1; done'\n");
        source.Commit();
        (await source.PushAsync("phoenix")).Succeeded();
        await api.Patch("/apps/phoenix/formation", new { updates = new object[] { new { type = "web", quantity = 2 }, new { type = "ticker", quantity = 1 } } });
        var before = await WaitForUp(api, "phoenix", 2);
        await DynoApps.Eventually(() => Dynos(api, "phoenix"), ds => ds.Count == 3 && ds.All(d => d!["state"]!.GetValue<string>() == "up"), what: "3 dynos up");
        before = await Dynos(api, "phoenix");

        // SIGKILL: the dynos are conmon's, not the platform's; they keep serving, straight at their addresses.
        server.Kill();
        var (asked, answered) = (0, 0);
        var downSince = DateTime.UtcNow;
        while (DateTime.UtcNow - downSince < TimeSpan.FromSeconds(3))
        {
            foreach (var web in before.Where(d => d!["type"]!.GetValue<string>() == "web"))
            {
                asked++;
                if (Regex.IsMatch(await Ask(web!), "^web\\.[12] none$")) answered++;
            }
        }
        Assert.Equal(asked, answered);

        await server.StartAsync();
        var after = await WaitForUp(api, "phoenix", 2);
        after = await Dynos(api, "phoenix");
        // The same dynos, adopted: same ids, no duplicates, nothing else running.
        Assert.Equal(before.Select(d => d!["id"]!.GetValue<string>()).Order(), after.Select(d => d!["id"]!.GetValue<string>()).Order());
        Assert.Equal(["ticker.1", "web.1", "web.2"], after.Select(d => d!["name"]!.GetValue<string>()).Order());
        var containers = await HostRun(server.OciRuntime, "--root", Path.Combine(server.DataDir, "dynos", "oci"), "list", "--quiet");
        Assert.Equal(3, containers.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.All(await Task.WhenAll(after.Where(d => d!["type"]!.GetValue<string>() == "web").Select(d => Ask(d!))), a => Assert.Matches("^web\\.[12] none$", a));

        // What the ticker printed while no platform was listening is in the app's log: no tick is missing.
        var logs = await DynoApps.Eventually(() => DynoApps.Logs(server, api, "phoenix"),
            l => Regex.Matches(l, @"app\[ticker\.1\]: tick (\d+)").Count > 60, what: "ticks in the log");
        var ticks = Regex.Matches(logs, @"app\[ticker\.1\]: tick (\d+)").Select(m => int.Parse(m.Groups[1].Value)).ToHashSet();
        var first = ticks.Min();
        var missing = Enumerable.Range(first, ticks.Max() - first + 1).Where(t => !ticks.Contains(t)).ToList();
        Assert.True(missing.Count == 0, $"ticks missing from the log: {string.Join(", ", missing.Take(20))}");
        Assert.True(ticks.Max() - first > 30, "the ticker ran across the restart");
        // With the time each was written: ticks 0.1 s apart stay about that far apart across the restart (stamped when
        // read, those written while nuvemd was down would all carry the moment it came back).
        var times = Regex.Matches(logs, @"(?m)^(\S+) app\[ticker\.1\]: tick (\d+)$")
            .GroupBy(m => int.Parse(m.Groups[2].Value)).OrderBy(g => g.Key)
            .Select(g => DateTimeOffset.Parse(g.First().Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var widest = times.Zip(times.Skip(1), (a, b) => b - a).Max();
        Assert.True(widest < TimeSpan.FromSeconds(1.5), $"ticks {widest.TotalSeconds:0.0} s apart in the log");
    }

    [Fact]
    public async Task What_died_while_the_platform_was_down_is_cleaned_up_and_started_afresh()
    {
        await using var server = await NuvemServer.StartNewAsync();
        using var api = server.Api();
        await api.Post("/apps", new { name = "lazarus" });
        using var source = DynoApps.Web(server);
        source.Commit();
        (await source.PushAsync("lazarus")).Succeeded();
        await api.Patch("/apps/lazarus/formation", new { updates = new object[] { new { type = "web", quantity = 2 } } });
        var before = await WaitForUp(api, "lazarus", 2);
        var dead = before.Single(d => d!["name"]!.GetValue<string>() == "web.2")!["id"]!.GetValue<string>();
        var alive = before.Single(d => d!["name"]!.GetValue<string>() == "web.1")!["id"]!.GetValue<string>();

        // The dead dyno's network (made on demand, or a spare made ahead of time), and the spares the killed platform leaves.
        var deadEndpoint = JsonNode.Parse(File.ReadAllText(Path.Combine(server.DataDir, "dynos", "bundles", dead, "dyno.json")))!["Endpoint"]!;
        var deadNetns = deadEndpoint["NetworkNamespace"]!.GetValue<string>();
        var deadNetwork = deadEndpoint["NetworkId"]?.GetValue<string>() ?? dead;
        Assert.True(File.Exists(deadNetns));
        var aliveNetns = JsonNode.Parse(File.ReadAllText(Path.Combine(server.DataDir, "dynos", "bundles", alive, "dyno.json")))!["Endpoint"]!["NetworkNamespace"]!.GetValue<string>();
        // Those not given to a dyno yet (a spare keeps its name when a dyno takes it).
        var spares = await DynoApps.Eventually(() => Task.FromResult(Spares(server.Bridge).Except([aliveNetns, deadNetns]).ToList()), s => s.Count > 0,
            what: "spare networks made");
        server.Kill();
        var oci = Path.Combine(server.DataDir, "dynos", "oci");
        await HostRun(server.OciRuntime, "--root", oci, "kill", "--all", dead, "KILL");
        await server.StartAsync();

        var after = await DynoApps.Eventually(() => Dynos(api, "lazarus"),
            ds => ds.Count == 2 && ds.All(d => d!["state"]!.GetValue<string>() == "up" && d["id"]!.GetValue<string>() != dead),
            what: "web.2 started afresh");
        Assert.Contains(after, d => d!["id"]!.GetValue<string>() == alive); // the living one was adopted
        Assert.False(Directory.Exists(Path.Combine(server.DataDir, "dynos", "bundles", dead)));
        Assert.False(File.Exists(deadNetns));
        Assert.All(spares, spare => Assert.False(File.Exists(spare), $"{spare} left by the killed platform"));
        Assert.False(Directory.Exists($"/sys/fs/cgroup/memory/nuvem-dynos/{dead}"));
        Assert.DoesNotContain(dead, await HostRun(server.OciRuntime, "--root", oci, "list", "--quiet"));
        // Every address lease is held by a running dyno or a spare network of the new platform's: none by the dead dyno.
        var holders = after.Select(d => d!["id"]!.GetValue<string>())
            .Select(id => JsonNode.Parse(File.ReadAllText(Path.Combine(server.DataDir, "dynos", "bundles", id, "dyno.json")))!["Endpoint"]!)
            .Select(e => e["NetworkId"]?.GetValue<string>()).ToList();
        Assert.Equal(2, holders.Count(h => h is not null));
        var leases = Directory.GetFiles(Path.Combine(server.DataDir, "dynos", "leases", server.Bridge))
            .Where(f => System.Net.IPAddress.TryParse(Path.GetFileName(f), out _)).Select(f => File.ReadAllLines(f)[0].Trim()).ToList();
        Assert.All(leases, owner => Assert.True(holders.Contains(owner) || File.Exists("/var/run/netns/nuvem-" + owner), $"a lease held by {owner}"));
        Assert.Equal(2, leases.Count(holders.Contains));
        Assert.DoesNotContain(deadNetwork, leases);
        Assert.DoesNotContain(File.ReadAllText("/proc/self/mountinfo"), Path.Combine(server.DataDir, "dynos", "bundles", dead));
    }

    [Fact]
    public async Task Stopping_the_platform_stops_its_dynos_and_removes_its_network()
    {
        await using var server = await NuvemServer.StartNewAsync();
        using var api = server.Api();
        await api.Post("/apps", new { name = "sunset" });
        using var source = DynoApps.Web(server);
        source.Commit();
        (await source.PushAsync("sunset")).Succeeded();
        await api.Patch("/apps/sunset/formation", new { updates = new object[] { new { type = "worker", quantity = 1 } } });
        await DynoApps.Eventually(() => Dynos(api, "sunset"), ds => ds.Count == 2 && ds.All(d => d!["state"]!.GetValue<string>() == "up"), what: "2 dynos up");
        Assert.True(Directory.Exists($"/sys/class/net/{server.Bridge}"));

        await server.StopAsync(TimeSpan.FromSeconds(60));
        var oci = Path.Combine(server.DataDir, "dynos", "oci");
        Assert.Equal("", (await HostRun(server.OciRuntime, "--root", oci, "list", "--quiet")).Trim());
        Assert.Empty(Directory.GetDirectories(Path.Combine(server.DataDir, "dynos", "bundles")));
        Assert.False(Directory.Exists($"/sys/class/net/{server.Bridge}"));
        Assert.Empty(Spares(server.Bridge));
        Assert.DoesNotContain(Path.Combine(server.DataDir, "dynos"), File.ReadAllText("/proc/self/mountinfo"));
    }

    /// <summary>The network namespaces a platform on <paramref name="bridge"/> made ahead of time for its next dynos.</summary>
    private static string[] Spares(string bridge) =>
        Directory.Exists("/var/run/netns") ? Directory.GetFiles("/var/run/netns", $"nuvem-spare-{bridge}-*") : [];

    private static async Task<string> HostRun(string file, params string[] args) =>
        (await Nuvem.Platform.Dynos.Runtime.HostCommand.RunAsync(file, args)).Output;
}
