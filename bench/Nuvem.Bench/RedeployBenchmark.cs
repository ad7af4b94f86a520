using System.Diagnostics;
using System.Text;

namespace Nuvem.Bench;

/// <summary>
/// Zero-downtime deploys under a large load: wrk drives a real app (two web dynos of a pushed Python app) through
/// the real router for the same time twice — once steady (the baseline) and once while its config is changed
/// every few seconds, each change a new release that replaces every dyno. Prints throughput, latency and, above
/// all, failed requests (non-2xx and socket errors) for both.
/// </summary>
internal static class RedeployBenchmark
{
    public static async Task RunAsync(int seconds)
    {
        if (RouterBenchmark.Which("wrk") is null) throw new InvalidOperationException("wrk is missing: bench/run.sh redeploy installs it (apt-get install wrk).");
        await using var platform = await Platform.StartAsync();
        using var api = platform.Client();
        (await api.PostAsync("/apps", Json("{\"name\":\"steady\"}"))).EnsureSuccessStatusCode();
        var source = Directory.CreateTempSubdirectory("nuvem-bench-redeploy-").FullName;
        await File.WriteAllTextAsync(Path.Combine(source, "Procfile"), "web: python3 web.py\n");
        await File.WriteAllTextAsync(Path.Combine(source, "web.py"), """
            import os, http.server
            body = ("x" * 512 + "\n").encode()
            class Handler(http.server.BaseHTTPRequestHandler):
                protocol_version = "HTTP/1.1"
                # Headers and body in one write: as two, Nagle waits for the router's delayed ACK, 40 ms a request.
                wbufsize = 64 * 1024
                def do_GET(self):
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *args):
                    pass
            http.server.ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), Handler).serve_forever()
            """);
        Git(source, null, "init", "-q", "-b", "main");
        Git(source, null, "add", "-A");
        Git(source, null, "-c", "user.email=bench@nuvem.test", "-c", "user.name=bench", "commit", "-q", "-m", "app");
        Git(source, platform.CaFile, "push", "-q", $"https://git:{platform.Token}@localhost:{platform.ApiPort}/steady.git", "main");
        (await api.PatchAsync("/apps/steady/formation", Json("{\"updates\":[{\"type\":\"web\",\"quantity\":2}]}"))).EnsureSuccessStatusCode();
        await WaitForUp(api, 2);

        const int connections = 20;
        await RouterBenchmark.RunWrk(platform.RouterPort, 3, connections, "steady.localhost"); // warm-up
        var steady = await RouterBenchmark.RunWrk(platform.RouterPort, seconds, connections, "steady.localhost");

        using var stop = new CancellationTokenSource();
        var redeploys = 0;
        var changer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(4));
                if (stop.IsCancellationRequested) break;
                (await api.PatchAsync("/apps/steady/config-vars", Json($"{{\"DEPLOY\":\"{++redeploys}\"}}"))).EnsureSuccessStatusCode();
            }
        });
        var during = await RouterBenchmark.RunWrk(platform.RouterPort, seconds, connections, "steady.localhost");
        stop.Cancel();
        await changer;

        Console.WriteLine($"Redeploys under load: wrk, {connections} connections, {seconds} s each, through the router to 2 web dynos; {redeploys} redeploys in the second run");
        Console.WriteLine($"{"run",-28} {"requests/s",12} {"p50 ms",8} {"p99 ms",8} {"failed",8}");
        Console.WriteLine($"{"steady (baseline)",-28} {steady.RequestsPerSecond,12:F0} {steady.P50Ms,8:F2} {steady.P99Ms,8:F2} {steady.Errors,8}");
        Console.WriteLine($"{"redeploying every 4 s",-28} {during.RequestsPerSecond,12:F0} {during.P50Ms,8:F2} {during.P99Ms,8:F2} {during.Errors,8}");
        Console.WriteLine($"throughput ratio redeploying/steady: {during.RequestsPerSecond / steady.RequestsPerSecond:F2}");
        try { Directory.Delete(source, recursive: true); } catch (IOException) { }
    }

    private static async Task WaitForUp(HttpClient api, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var body = await api.GetStringAsync("/apps/steady/dynos");
            if (body.Split("\"state\":\"up\"").Length - 1 >= count) return;
            await Task.Delay(200);
        }
        throw new TimeoutException("web dynos did not come up");
    }

    internal static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    internal static void Git(string directory, string? caFile, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        if (caFile is not null) start.Environment["GIT_SSL_CAINFO"] = caFile;
        start.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        using var process = Process.Start(start)!;
        process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"git {args[0]} failed: {error}");
    }
}
