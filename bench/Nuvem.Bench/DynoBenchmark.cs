using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Nuvem.Bench;

/// <summary>
/// What isolating dynos as containers costs, on the same small Python app:
/// <list type="number">
/// <item>start→accepting: a web dyno scaled 0→1, timed from the API call until its own address answers HTTP 200,
/// in the container runtime against the plain-process runtime (the baseline), each on a platform of its own;</item>
/// <item>memory: RSS and PSS of each container dyno's platform parts (conmon, tini) against the app below them;</item>
/// <item>density: a web type scaled up in steps of idle small dynos while the router keeps answering, its latency
/// against the same requests at one dyno (the baseline), and the host memory each dyno takes.</item>
/// </list>
/// </summary>
internal static partial class DynoBenchmark
{
    private const string AppName = "dynos";
    private const int StepSize = 10;

    // One small size for every dyno of both platforms: the runtimes are compared under the same limits, and the
    // density is that of small dynos. The first size is the default, so the formation needs no size.
    private const string Sizes = """[{"name":"Basic","memory_mb":128,"cpu":1,"pids":64,"app_disk_mb":16,"tmp_disk_mb":16}]""";

    public static async Task RunAsync(int restarts, int maxDynos)
    {
        // The platform allows at most 100 dynos of one process type (Heroku's limit); its bridge's /24 holds 253.
        maxDynos = Math.Clamp(maxDynos, 1, 100);
        var work = Directory.CreateTempSubdirectory("nuvem-bench-dynos-").FullName;
        try
        {
            var sizes = Path.Combine(work, "sizes.json");
            await File.WriteAllTextAsync(sizes, Sizes);
            var source = await WriteAppAsync(Path.Combine(work, "app"));

            Console.WriteLine($"Dynos: a tiny Python http.server app (128 MB dyno size); {restarts} starts per runtime, density up to {maxDynos} dynos in steps of {StepSize}");
            List<StartTimes> process, container;
            await using (var platform = await Platform.StartAsync(new Dictionary<string, string> { ["NUVEM_DYNO_RUNTIME"] = "process", ["NUVEM_DYNO_SIZES"] = sizes }))
            {
                using var api = platform.Client();
                await DeployAsync(platform, api, source);
                process = await MeasureStartsAsync(platform, api, restarts);
            }

            var seen = new HashSet<string>();
            Density density;
            string bridge, dataDir;
            await using (var platform = await Platform.StartAsync(new Dictionary<string, string> { ["NUVEM_DYNO_RUNTIME"] = "container", ["NUVEM_DYNO_SIZES"] = sizes, ["NUVEM_DYNO_TIMINGS"] = "1" }))
            {
                (bridge, dataDir) = (platform.Bridge, platform.DataDir);
                using var api = platform.Client();
                await DeployAsync(platform, api, source);
                container = await MeasureStartsAsync(platform, api, restarts, seen);
                PrintStarts(process, container);
                PrintBreakdown(platform.Output, restarts);
                density = await MeasureDensityAsync(platform, api, maxDynos, seen);
            }
            var memAvailableCleaned = MemAvailableMb();

            PrintMemory(density);
            PrintDensity(density, memAvailableCleaned);
            var leftovers = Leftovers(bridge, dataDir, seen);
            Console.WriteLine(leftovers.Count == 0
                ? "\nclean-up: no container (process or cgroup), bridge, network namespace or mount of the container platform left"
                : "\nLEFT BEHIND after clean-up:\n  " + string.Join("\n  ", leftovers));
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    private static async Task<string> WriteAppAsync(string source)
    {
        Directory.CreateDirectory(source);
        await File.WriteAllTextAsync(Path.Combine(source, "Procfile"), "web: python3 web.py\n");
        await File.WriteAllTextAsync(Path.Combine(source, "web.py"), """
            import os, http.server
            body = b"ok\n"
            class Handler(http.server.BaseHTTPRequestHandler):
                protocol_version = "HTTP/1.1"
                # Headers and body in one write: unbuffered, they go as two segments, and on a kept-alive connection
                # Nagle then waits for the router's delayed ACK, 40 ms a request.
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
        RedeployBenchmark.Git(source, null, "init", "-q", "-b", "main");
        RedeployBenchmark.Git(source, null, "add", "-A");
        RedeployBenchmark.Git(source, null, "-c", "user.email=bench@nuvem.test", "-c", "user.name=bench", "commit", "-q", "-m", "app");
        return source;
    }

    private static async Task DeployAsync(Platform platform, HttpClient api, string source)
    {
        (await api.PostAsync("/apps", RedeployBenchmark.Json($"{{\"name\":\"{AppName}\"}}"))).EnsureSuccessStatusCode();
        RedeployBenchmark.Git(source, platform.CaFile, "push", "-q", $"https://git:{platform.Token}@localhost:{platform.ApiPort}/{AppName}.git", "main");
    }

    // ---- 1. start → accepting -------------------------------------------------------------------------------

    /// <param name="AddressMs">until the API lists the new dyno with its address (the runtime has started it)</param>
    /// <param name="AcceptMs">until that address accepts a connection and answers 200</param>
    /// <param name="UpMs">until the API says "up" (the manager's own check, which puts it in the router)</param>
    /// <param name="StopMs">scaling 1→0 until the dyno is gone (drain, SIGTERM, clean-up)</param>
    private sealed record StartTimes(double AddressMs, double AcceptMs, double UpMs, double StopMs);

    /// <summary>
    /// Scales 0→1 <paramref name="restarts"/> times after one warm-up start. Scaling, not a restart
    /// (<c>DELETE /dynos/web.1</c>), so that the time is the new dyno's alone: a restart first drains and stops
    /// the old one (1 s of drain), which is timed separately here as the stop.
    /// </summary>
    private static async Task<List<StartTimes>> MeasureStartsAsync(Platform platform, HttpClient api, int restarts, HashSet<string>? seen = null)
    {
        await ScaleAsync(api, 1);
        if (await WaitForUpAsync(platform, api, 1, TimeSpan.FromSeconds(60), seen) is { } problem) throw new InvalidOperationException($"{problem}:\n{platform.Output}");
        var times = new List<StartTimes>();
        for (var i = 0; i < restarts; i++)
        {
            var clock = Stopwatch.StartNew();
            await ScaleAsync(api, 0);
            while ((await ListAsync(api, seen)).Count > 0) await Pause(platform, clock, 5);
            var stop = clock.Elapsed.TotalMilliseconds;

            clock.Restart();
            await ScaleAsync(api, 1);
            DynoView dyno;
            while (true)
            {
                var list = await ListAsync(api, seen);
                if (list is [{ Ip: not null } listed]) { dyno = listed; break; }
                if (list is [{ State: "crashed" }]) throw new InvalidOperationException($"the dyno crashed:\n{platform.Output}");
                await Pause(platform, clock, 5);
            }
            var address = clock.Elapsed.TotalMilliseconds;
            // Straight at the dyno's own address, not through the router: how soon the app itself answers.
            while (!await AnswersAsync(dyno.Ip!, dyno.Port)) await Pause(platform, clock, 2);
            var accept = clock.Elapsed.TotalMilliseconds;
            while ((await ListAsync(api, seen)) is not [{ State: "up" }]) await Pause(platform, clock, 5);
            times.Add(new StartTimes(address, accept, clock.Elapsed.TotalMilliseconds, stop));
        }
        return times;
    }

    private static async Task Pause(Platform platform, Stopwatch clock, int milliseconds)
    {
        if (clock.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException($"a dyno took over a minute to start or stop:\n{platform.Output}");
        await Task.Delay(milliseconds);
    }

    /// <summary>One fresh connection and one request: true when the answer is 200.</summary>
    private static async Task<bool> AnswersAsync(string ip, int port)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            await socket.ConnectAsync(ip, port, timeout.Token);
            await socket.SendAsync("GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[256];
            var read = 0;
            while (read < buffer.Length)
            {
                var n = await socket.ReceiveAsync(buffer.AsMemory(read), timeout.Token);
                if (n == 0) break;
                read += n;
                if (Encoding.ASCII.GetString(buffer, 0, read).Contains("\r\n")) break;
            }
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("HTTP/1.1 200 ", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    // ---- 2. and 3. memory and density -----------------------------------------------------------------------

    private sealed record Step(int Dynos, double StartSeconds, Stats Router, int Failed, int MemAvailableMb, long NuvemdRssKb, double NuvemdCpu);

    /// <param name="CgroupKb">what the dyno's memory cgroup (tini and the app, not conmon) holds that cannot be
    /// reclaimed: process memory and its tmpfs files (as the platform's R14 check counts it)</param>
    /// <param name="KernelKb">kernel memory charged to that cgroup (page tables, sockets, slab)</param>
    private sealed record DynoMemory(Usage Conmon, Usage Tini, Usage App, int AppProcesses, long CgroupKb, long KernelKb);

    private sealed record Density(Step Baseline, List<Step> Steps, string? StoppedBecause, List<DynoMemory> Memory, int MemoryAt);

    private static async Task<Density> MeasureDensityAsync(Platform platform, HttpClient api, int maxDynos, HashSet<string> seen)
    {
        // The app is at one up dyno after the starts: the baseline.
        using var router = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = new Uri($"http://127.0.0.1:{platform.RouterPort}"), Timeout = TimeSpan.FromSeconds(30) };
        var baseline = new Step(1, 0, (await RouterLatencyAsync(router, 1)).Latency, 0, MemAvailableMb(), RssKb(platform.ProcessId), await IdleCpuAsync(platform.ProcessId));
        var steps = new List<Step>();
        string? stoppedBecause = null;
        var memory = Sample(platform.DataDir);
        var memoryAt = 1;
        var targets = Enumerable.Range(1, maxDynos / StepSize).Select(i => i * StepSize).ToList();
        if (maxDynos > 1 && maxDynos % StepSize != 0) targets.Add(maxDynos);
        foreach (var count in targets)
        {
            var clock = Stopwatch.StartNew();
            await ScaleAsync(api, count);
            var up = await WaitForUpAsync(platform, api, count, TimeSpan.FromSeconds(30 + 3 * StepSize), seen);
            if (up is not null) { stoppedBecause = $"at {count}: {up}"; break; }
            var started = clock.Elapsed.TotalSeconds;
            var (latency, failed) = await RouterLatencyAsync(router, count);
            var step = new Step(count, started, latency, failed, MemAvailableMb(), RssKb(platform.ProcessId), await IdleCpuAsync(platform.ProcessId));
            steps.Add(step);
            Console.Error.WriteLine($"  {count} dynos up in {started:F1} s, router {latency.Median:F2} ms");
            if (failed > 0) { stoppedBecause = $"at {count}: {failed} requests through the router failed"; break; }
            memory = Sample(platform.DataDir);
            memoryAt = count;
        }
        return new Density(baseline, steps, stoppedBecause, memory, memoryAt);
    }

    /// <summary>Through the router, over one kept-alive connection: a warm-up of two requests per dyno (the router
    /// picks dynos at random, so most of its connections to them are open by then), then at least 200 more timed.
    /// Any answer but 200 counts as failed.</summary>
    private static async Task<(Stats Latency, int Failed)> RouterLatencyAsync(HttpClient router, int dynos)
    {
        var failed = 0;
        var samples = new List<double>();
        var warmUp = Math.Max(20, 2 * dynos);
        var measured = Math.Max(200, 2 * dynos);
        for (var i = 0; i < warmUp + measured; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/");
            request.Headers.Host = $"{AppName}.localhost";
            var clock = Stopwatch.StartNew();
            try
            {
                using var response = await router.SendAsync(request);
                await response.Content.ReadAsByteArrayAsync();
                if (response.StatusCode != System.Net.HttpStatusCode.OK) failed++;
            }
            catch (HttpRequestException)
            {
                failed++;
            }
            if (i >= warmUp) samples.Add(clock.Elapsed.TotalMilliseconds);
        }
        return (Stats.Of(samples), failed);
    }

    // ---- the platform's API ---------------------------------------------------------------------------------

    private sealed record DynoView(string Id, string Name, string State, string? Ip, int Port);

    private static async Task ScaleAsync(HttpClient api, int quantity) =>
        (await api.PatchAsync($"/apps/{AppName}/formation", RedeployBenchmark.Json($"{{\"updates\":[{{\"type\":\"web\",\"quantity\":{quantity}}}]}}"))).EnsureSuccessStatusCode();

    private static async Task<List<DynoView>> ListAsync(HttpClient api, HashSet<string>? seen)
    {
        using var json = JsonDocument.Parse(await api.GetStringAsync($"/apps/{AppName}/dynos?extended=true"));
        var dynos = json.RootElement.EnumerateArray().Select(d =>
        {
            var extended = d.GetProperty("extended");
            var ip = extended.TryGetProperty("ip", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
            var port = extended.TryGetProperty("port", out var p) && p.ValueKind == JsonValueKind.Number ? p.GetInt32() : 0;
            return new DynoView(d.GetProperty("id").GetString()!, d.GetProperty("name").GetString()!, d.GetProperty("state").GetString()!, ip, port);
        }).ToList();
        // Every container id seen, to check afterwards that none left a namespace behind.
        if (seen is not null) foreach (var dyno in dynos) seen.Add(dyno.Id);
        return dynos;
    }

    /// <returns>null when <paramref name="count"/> dynos are up; else what went wrong.</returns>
    private static async Task<string?> WaitForUpAsync(Platform platform, HttpClient api, int count, TimeSpan timeout, HashSet<string>? seen)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var dynos = await ListAsync(api, seen);
            if (dynos.Count(d => d.State == "up") >= count) return null;
            if (dynos.FirstOrDefault(d => d.State == "crashed") is { } crashed) return $"{crashed.Name} crashed";
            if (clock.Elapsed > timeout)
                return $"only {dynos.Count(d => d.State == "up")} of {count} dynos up after {timeout.TotalSeconds:0} s";
            await Task.Delay(50);
        }
    }
}
