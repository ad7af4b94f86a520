using System.Net;
using Nuvem.Tests.Dynos;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Router;

/// <summary>
/// From idea to URL: a pushed app runs as dynos and answers through the router at APP.localhost, with Heroku's
/// behaviour on scaling, config changes, rollbacks, redeploys under load and failures.
/// </summary>
public sealed class EndToEndRoutingTests
{
    /// <summary>A web app answering "VERSION DYNO COLOR"; /slow takes 5 s; CRASH=1 in the config makes it die at boot.</summary>
    private static GitWorkspace App(NuvemServer server, string version) => new GitWorkspace(server)
        .Write("Procfile", "web: python3 web.py\n")
        .Write("VERSION", version)
        .Write("web.py", """
            import os, sys, time, http.server
            if os.environ.get("CRASH"): sys.exit("crashing on purpose")
            version = open("VERSION").read().strip()
            class Handler(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    if self.path == "/slow": time.sleep(5)
                    body = f"{version} {os.environ['DYNO']} {os.environ.get('COLOR', 'none')}\n".encode()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *args):
                    print("request", self.path, flush=True)
            http.server.ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), Handler).serve_forever()
            """);

    private static Task<(HttpStatusCode Status, string Body)> Get(NuvemServer server, string app, string path = "/") =>
        RouterClient.GetAsync(server.RouterPort, app, path);

    private static Task<(HttpStatusCode Status, string Body)> Serving(NuvemServer server, string app, Func<string, bool> expected, string what) =>
        DynoApps.Eventually(() => Get(server, app), r => r.Status == HttpStatusCode.OK && expected(r.Body), TimeSpan.FromSeconds(40), what);

    [Fact]
    public async Task Push_scale_configure_redeploy_under_load_and_roll_back_through_the_router()
    {
        await using var server = await NuvemServer.StartNewAsync();
        using var api = server.Api();
        await api.Post("/apps", new { name = "shop" });
        using var source = App(server, "v1");
        source.Commit();
        (await source.PushAsync("shop")).Succeeded(); // release v2

        var first = await Serving(server, "shop", b => b == "v1 web.1 none", "v1 on web.1");
        Assert.Equal("v1 web.1 none", first.Body);
        var logs = await DynoApps.Eventually(() => DynoApps.Logs(server, api, "shop"),
            l => l.Contains("heroku[router]: at=info") && l.Contains("app[web.1]: request /"), what: "a router line and the app's line");
        Assert.Matches(@"heroku\[router\]: at=info method=GET path=""/"" host=shop\.localhost request_id=\S+ fwd=""127\.0\.0\.1"" dyno=web\.1 connect=\d+ms service=\d+ms status=200 bytes=\d+ protocol=http", logs);
        Assert.Contains("app[web.1]: request /", logs);

        // `nuvem logs --tail` shows a line the app prints (on a request) within about a second.
        using (var cli = new NuvemCli(server))
        {
            (await cli.LoginAsync()).Succeeded();
            using var tail = cli.Start("logs", "--tail", "-a", "shop", "-n", "0", "-p", "web");
            try
            {
                // Lines as the CLI prints them. Until its session is open (slower on a busy machine) a request's line
                // is not tailed, so ask again each 2 s; the one that is shown must arrive within about a second.
                var lines = System.Threading.Channels.Channel.CreateUnbounded<string>();
                _ = Task.Run(async () =>
                {
                    while (await tail.StandardOutput.ReadLineAsync() is { } read) await lines.Writer.WriteAsync(read);
                    lines.Writer.Complete();
                });
                string? line = null;
                var clock = System.Diagnostics.Stopwatch.StartNew();
                for (var attempt = 0; attempt < 10 && line is null; attempt++)
                {
                    clock.Restart();
                    await Get(server, "shop", $"/hello-tail-{attempt}");
                    using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    try
                    {
                        do line = await lines.Reader.ReadAsync(wait.Token);
                        while (!line.Contains("request /hello-tail-"));
                    }
                    catch (OperationCanceledException) { line = null; }
                }
                Assert.NotNull(line);
                Assert.Matches(@"app\[web\.1\]: request /hello-tail-\d", line);
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"the app's line took {clock.ElapsedMilliseconds} ms");
            }
            finally
            {
                tail.Kill(entireProcessTree: true);
            }
        }

        // Three web dynos share the requests.
        await api.Patch("/apps/shop/formation", new { updates = new[] { new { type = "web", quantity = "3" } } });
        await DynoApps.Eventually(async () => (await api.Get("/apps/shop/dynos")).Array.Count(d => d!["state"]!.GetValue<string>() == "up"), n => n == 3, what: "3 dynos up");
        var seen = new HashSet<string>();
        for (var i = 0; i < 40 && seen.Count < 3; i++) seen.Add((await Get(server, "shop")).Body.Split(' ')[1]);
        Assert.Equal(["web.1", "web.2", "web.3"], seen.Order());

        // A config change restarts the dynos with the new value — and no request fails meanwhile.
        using var load = new CancellationTokenSource();
        var failures = 0;
        var served = 0;
        var traffic = Task.Run(async () =>
        {
            using var client = RouterClient.For(server.RouterPort);
            while (!load.IsCancellationRequested)
            {
                try
                {
                    using var response = await client.GetAsync("http://shop.localhost/");
                    if (response.StatusCode == HttpStatusCode.OK) Interlocked.Increment(ref served);
                    else Interlocked.Increment(ref failures);
                }
                catch (HttpRequestException) { Interlocked.Increment(ref failures); }
                await Task.Delay(10);
            }
        });
        await DynoApps.Eventually(() => Task.FromResult(Volatile.Read(ref served)), n => n >= 20, what: "traffic flowing");
        var before = Volatile.Read(ref served);
        await api.Patch("/apps/shop/config-vars", new { COLOR = "teal" }); // v3
        await Serving(server, "shop", b => b.EndsWith(" teal"), "the new config");
        await DynoApps.Eventually(async () => (await api.Get("/apps/shop/dynos")).Array.All(d => d!["release"]!["version"]!.GetValue<int>() == 3), ok => ok, what: "only v3 dynos");
        await Task.Delay(1000);
        load.Cancel();
        await traffic;
        Assert.True(served - before >= 10, $"only {served - before} requests were served during the redeploy");
        Assert.Equal(0, failures);

        // New code, then a rollback to v2 serves the old code and config again.
        source.Write("VERSION", "v2");
        source.Commit("v2");
        (await source.PushAsync("shop")).Succeeded(); // v4
        await Serving(server, "shop", b => b.StartsWith("v2 ") && b.EndsWith(" teal"), "v2 code");
        var v2 = (await api.Get("/apps/shop/releases/2")).Json["id"]!.GetValue<string>();
        await api.Post("/apps/shop/releases", new { release = v2 }); // v5
        await Serving(server, "shop", b => b.StartsWith("v1 ") && b.EndsWith(" none"), "the rolled-back code");

        // Scaled to zero: H14.
        await api.Patch("/apps/shop/formation", new { updates = new[] { new { type = "web", quantity = "0" } } });
        var none = await DynoApps.Eventually(() => Get(server, "shop"), r => r.Status == HttpStatusCode.ServiceUnavailable, what: "H14");
        Assert.Contains("Application error", none.Body);
        Assert.Contains("code=H14 desc=\"No web processes running\"", await DynoApps.Logs(server, api, "shop"));
    }

    [Fact]
    public async Task A_crashing_app_is_H10_and_a_slow_one_H12_while_another_app_keeps_answering()
    {
        await using var server = await NuvemServer.StartNewAsync(new Dictionary<string, string> { ["NUVEM_ROUTER_TIMEOUT"] = "2" });
        using var api = server.Api();
        foreach (var name in new[] { "steady", "broken" })
        {
            await api.Post("/apps", new { name });
            using var source = App(server, "v1");
            source.Commit();
            (await source.PushAsync(name)).Succeeded();
        }
        await Serving(server, "steady", b => b.StartsWith("v1"), "steady");

        // /slow takes longer than the router's timeout: H12.
        var slow = await Get(server, "steady", "/slow");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, slow.Status);
        Assert.Contains("code=H12 desc=\"Request timeout\"", await DynoApps.Logs(server, api, "steady"));

        // An app that dies at boot: crashed dynos, H10 at the router, growing restart intervals — the other app is fine.
        await api.Patch("/apps/broken/config-vars", new { CRASH = "1" });
        var crashed = await DynoApps.Eventually(() => Get(server, "broken"),
            r => r.Status == HttpStatusCode.ServiceUnavailable && r.Body.Contains("Application error"), TimeSpan.FromSeconds(30), "H10");
        Assert.Contains("Application error", crashed.Body);
        var logs = await DynoApps.Eventually(() => DynoApps.Logs(server, api, "broken"), l => l.Contains("code=H10 desc=\"App crashed\""), what: "the H10 line");
        Assert.Contains("app[web.1]: crashing on purpose", logs);
        Assert.Contains("heroku[web.1]: State changed from starting to crashed", logs);
        Assert.Equal(HttpStatusCode.OK, (await Get(server, "steady")).Status);
    }
}
