using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Nuvem.Platform.Dynos.Runtime;
using Nuvem.Tests.Infrastructure;
using Nuvem.Tests.Router;
using Xunit.Abstractions;

namespace Nuvem.Tests.Dynos;

/// <summary>
/// Dynos as isolated containers, attacked from inside: the isolation battery, the memory limit's R15, and dynos
/// living through a platform crash.
/// </summary>
public sealed class IsolationTests(ITestOutputHelper output)
{
    private const int MemoryMb = 128, Pids = 64, AppDiskMb = 16, TmpDiskMb = 16;

    private static string Fixture(string name) => Path.Combine(Repo.Root, "tests", "Nuvem.Tests", "Fixtures", "apps", name);

    /// <summary>A server whose only dyno size is small, so every limit is quick to hit.</summary>
    private static async Task<NuvemServer> SmallDynoServer(Dictionary<string, string>? more = null)
    {
        var sizes = Path.Combine(Path.GetTempPath(), $"nuvem-sizes-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(sizes,
            $$"""[{"name":"Basic","memory_mb":{{MemoryMb}},"cpu":1,"pids":{{Pids}},"app_disk_mb":{{AppDiskMb}},"tmp_disk_mb":{{TmpDiskMb}}}]""");
        var environment = new Dictionary<string, string> { ["NUVEM_DYNO_SIZES"] = sizes };
        foreach (var (key, value) in more ?? []) environment[key] = value;
        return await NuvemServer.StartNewAsync(environment);
    }

    private static Task<(HttpStatusCode Status, string Body)> ThroughRouter(NuvemServer server, string app) =>
        RouterClient.GetAsync(server.RouterPort, app);

    private static GitWorkspace Victim(NuvemServer server) => new GitWorkspace(server)
        .Write("Procfile", "web: python3 victim-server.py\n")
        .Write("secret.txt", "the victim's file secret is in here\n")
        .Write("victim-server.py", """
            import os, http.server
            secret = open("secret.txt").read()
            class Handler(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    body = b"victim ok\n"
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *args):
                    pass
            http.server.ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), Handler).serve_forever()
            """);

    /// <summary>Keeps asking an app through the router until cancelled; returns how many answers were not 200.</summary>
    internal static async Task<(int Requests, int Failures)> KeepAsking(NuvemServer server, string app, CancellationToken stop)
    {
        var (requests, failures) = (0, 0);
        while (!stop.IsCancellationRequested)
        {
            requests++;
            try
            {
                if ((await ThroughRouter(server, app)).Status != HttpStatusCode.OK) failures++;
            }
            catch (HttpRequestException)
            {
                failures++;
            }
            await Task.Delay(50, CancellationToken.None);
        }
        return (requests, failures);
    }

    [Fact]
    public async Task Every_attempt_to_get_out_of_a_dyno_fails_while_another_app_keeps_answering()
    {
        // The API listens on every address here, so that only the dyno firewall stands between a dyno and it.
        await using var server = await SmallDynoServer(new() { ["NUVEM_BIND_ADDRESS"] = "*" });
        using var api = server.Api();
        const string secret = "victim-secret-7f3e9a";

        await api.Post("/apps", new { name = "victim" });
        await api.Patch("/apps/victim/config-vars", new { VICTIM_TOKEN = secret });
        using (var victim = Victim(server).Write("secret.txt", $"{secret}\n"))
        {
            victim.Commit();
            (await victim.PushAsync("victim")).Succeeded();
        }
        var victimDyno = await DynoApps.Eventually(() => api.Get("/apps/victim/dynos?extended=true"),
            r => r.Array.Any(d => d!["state"]!.GetValue<string>() == "up"), what: "the victim's web dyno up");
        var extended = victimDyno.Array.First()!["extended"]!;
        Assert.Equal(HttpStatusCode.OK, (await ThroughRouter(server, "victim")).Status);

        await api.Post("/apps", new { name = "attacker" });
        using (var attacker = new GitWorkspace(server, Fixture("isolation-battery")).Write("Procfile", "battery: python3 battery.py\n"))
        {
            attacker.Commit();
            (await attacker.PushAsync("attacker")).Succeeded();
        }

        // A service on the host that nothing should reach from a dyno: listening on every address.
        using var hostService = new TcpListener(IPAddress.Any, 0);
        hostService.Start();
        var hostPort = ((IPEndPoint)hostService.LocalEndpoint).Port;

        // A host on a private network beside this one (a namespace of the test's own, over a veth pair): reachable from
        // the host, so only the dyno firewall keeps dynos from it (as from a LAN, other VMs or a cloud's metadata service).
        await using var neighbour = await NeighbourNamespace.StartHttpAsync();
        using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) })
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"http://{neighbour.Address}/")).StatusCode);

        using var stop = new CancellationTokenSource();
        var load = KeepAsking(server, "victim", stop.Token);
        var started = await api.Post("/apps/attacker/dynos", new
        {
            command = "python3 battery.py",
            attach = false,
            env = new Dictionary<string, string>
            {
                ["VICTIM_ADDRESS"] = $"{extended["ip"]}:{extended["port"]}",
                ["VICTIM_SECRET_REVERSED"] = new string(secret.Reverse().ToArray()),
                ["HOST_PORTS"] = string.Join(",", server.ApiPort, server.RouterPort, server.RendezvousPort, hostPort),
                ["HOST_PID"] = server.ProcessId.ToString(),
                ["NEIGHBOUR_ADDRESS"] = neighbour.Address,
                ["MEMORY_MB"] = MemoryMb.ToString(),
                ["PIDS"] = Pids.ToString(),
                ["APP_DISK_MB"] = AppDiskMb.ToString(),
                ["TMP_DISK_MB"] = TmpDiskMb.ToString(),
            },
        });
        Assert.Equal(HttpStatusCode.Created, started.Status);
        if (server.OciRuntime == "crun")
        {
            // Not the platform's first dyno: crun loads the seccomp filter it compiled for the victim's, as raw BPF.
            var config = Path.Combine(server.DataDir, "dynos", "bundles", started.Json["id"]!.GetValue<string>(), "config.json");
            var written = await DynoApps.Eventually(() => Task.FromResult(File.Exists(config) ? File.ReadAllText(config) : ""),
                c => c.TrimEnd().EndsWith('}'), what: "the battery's bundle");
            Assert.NotNull(JsonNode.Parse(written)!["annotations"]?["run.oci.seccomp_bpf_data"]);
        }
        var logs = await DynoApps.Eventually(() => DynoApps.Logs(server, api, "attacker"), l => l.Contains("BATTERY {"),
            TimeSpan.FromMinutes(3), "the battery's report");
        stop.Cancel();
        var (requests, failures) = await load;

        var report = JsonNode.Parse(logs[(logs.IndexOf("BATTERY {", StringComparison.Ordinal) + "BATTERY ".Length)..].Split('\n')[0])!;
        foreach (var result in report["results"]!.AsArray())
            output.WriteLine($"{(result!["succeeded"]!.GetValue<bool>() ? "ESCAPED" : "blocked")}  {result["attempt"]}: {result["detail"]}");
        var attempts = report["attempts"]!.GetValue<int>();
        var succeeded = report["succeeded"]!.GetValue<int>();
        output.WriteLine($"Isolation battery: {attempts} attempts, {succeeded} succeeded; the other app answered {requests - failures}/{requests} requests with 200.");

        Assert.True(attempts >= 20, $"only {attempts} attempts ran");
        Assert.Equal(0, succeeded);
        Assert.True(requests > 0);
        Assert.Equal(0, failures);
        Assert.Equal(HttpStatusCode.OK, (await ThroughRouter(server, "victim")).Status);
    }

    [Fact]
    public async Task A_dyno_past_its_memory_limit_shows_R15_and_restarts_while_its_neighbours_keep_serving()
    {
        await using var server = await SmallDynoServer();
        using var api = server.Api();
        await api.Post("/apps", new { name = "hungry" });
        using (var app = Victim(server)
                   .Write("Procfile", "web: python3 victim-server.py\nhog: python3 hog.py\nheavy: python3 heavy.py\n")
                   .Write("heavy.py", """
                       import time
                       held = b"\x01" * (115 * 1024 * 1024)  # past 90% of the quota with the interpreter, short of the limit
                       print("heavy holding", flush=True)
                       time.sleep(600)
                       """)
                   .Write("hog.py", """
                       import time
                       print("hog starting", flush=True)
                       time.sleep(1)
                       chunks = []
                       while True:
                           chunks.append(bytearray(8 * 1024 * 1024))
                           time.sleep(0.02)
                       """))
        {
            app.Commit();
            (await app.PushAsync("hungry")).Succeeded();
        }
        await DynoApps.Eventually(() => ThroughRouter(server, "hungry"), r => r.Status == HttpStatusCode.OK, what: "the web dyno serving");

        using var stop = new CancellationTokenSource();
        var load = KeepAsking(server, "hungry", stop.Token);
        await api.Patch("/apps/hungry/formation", new { updates = new object[] { new { type = "hog", quantity = 1 }, new { type = "heavy", quantity = 1 } } });
        var logs = await DynoApps.Eventually(() => DynoApps.Logs(server, api, "hungry"),
            l => l.Split('\n').Count(line => line.Contains("app[hog.1]: hog starting")) >= 2 && l.Contains("heroku[heavy.1]: Error R14"),
            TimeSpan.FromSeconds(60), "the hog restarted and the heavy dyno warned");
        stop.Cancel();
        var (requests, failures) = await load;

        Assert.Contains("heroku[hog.1]: Error R15 (Memory quota vastly exceeded)", logs);
        Assert.Contains("heroku[hog.1]: Process exited with status 137", logs);
        Assert.Contains("heroku[hog.1]: State changed from up to crashed", logs);
        Assert.DoesNotContain("heroku[web.1]: Error R15", logs);
        // Near its quota but not over it: a warning (R14), no kill.
        Assert.Matches(@"heroku\[heavy\.1\]: Process running mem=1\d\dM\(9\d\.\d%\)", logs);
        Assert.DoesNotContain("heroku[heavy.1]: Error R15", logs);
        Assert.True(requests > 0);
        Assert.Equal(0, failures);
        var web = (await api.Get("/apps/hungry/dynos")).Array.Single(d => d!["name"]!.GetValue<string>() == "web.1")!;
        Assert.Equal("up", web["state"]!.GetValue<string>());
    }
}
