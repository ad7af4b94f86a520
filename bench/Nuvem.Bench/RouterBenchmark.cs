using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Nuvem.Platform.Logplex;
using Nuvem.Platform.Routing;
using Nuvem.Server.Router;

namespace Nuvem.Bench;

/// <summary>
/// The router's cost, measured with wrk in one run against the same upstream (a Kestrel "dyno" answering 1 KB):
/// (a) direct, (b) through Nuvem's router (the RouterHost nuvemd runs, in its own process, publishing its router
/// line per request), (c) through nginx as a reverse proxy with keep-alive to the upstream and the same headers.
/// Everything listens on 127.0.0.1; each run lasts a fixed time.
/// </summary>
internal static class RouterBenchmark
{
    private const string Host = "bench.localhost";
    private static readonly byte[] Body = Encoding.ASCII.GetBytes(new string('x', 1024));

    public static async Task RunAsync(int seconds)
    {
        foreach (var tool in new[] { "wrk", "nginx" })
        {
            if (Which(tool) is null) throw new InvalidOperationException($"{tool} is missing: bench/run.sh router installs it (apt-get install wrk nginx-light).");
        }
        var work = Directory.CreateTempSubdirectory("nuvem-bench-router-").FullName;
        var upstreamPort = Platform.FreePort();
        var routerPort = Platform.FreePort();
        var nginxPort = Platform.FreePort();
        var processes = new List<Process>();
        try
        {
            processes.Add(await StartChild("--upstream", upstreamPort.ToString()));
            processes.Add(await StartChild("--router", routerPort.ToString(), upstreamPort.ToString()));
            processes.Add(StartNginx(work, nginxPort, upstreamPort));
            await WaitForAsync(nginxPort);

            const int connections = 50;
            Console.WriteLine($"Router: wrk, 2 threads, {connections} connections, {seconds} s per measurement (after a 3 s warm-up), " +
                              $"1 KB responses, {Environment.ProcessorCount} cores shared by client, proxy and upstream");
            var results = new List<(string Name, Wrk Result)>();
            foreach (var (name, port) in new[] { ("direct to the upstream", upstreamPort), ("through the Nuvem router", routerPort), ("through nginx", nginxPort) })
            {
                await RunWrk(port, 3, connections); // warm-up: JIT, connection pools
                results.Add((name, await RunWrk(port, seconds, connections)));
            }

            Console.WriteLine($"{"path",-28} {"requests/s",12} {"p50 ms",8} {"p99 ms",8} {"errors",7}");
            foreach (var (name, r) in results)
                Console.WriteLine($"{name,-28} {r.RequestsPerSecond,12:F0} {r.P50Ms,8:F2} {r.P99Ms,8:F2} {r.Errors,7}");
            var (direct, router, nginx) = (results[0].Result, results[1].Result, results[2].Result);
            Console.WriteLine($"router/direct: throughput {router.RequestsPerSecond / direct.RequestsPerSecond:F2}, p50 {router.P50Ms / direct.P50Ms:F2}, p99 {router.P99Ms / direct.P99Ms:F2}");
            Console.WriteLine($"router/nginx:  throughput {router.RequestsPerSecond / nginx.RequestsPerSecond:F2}, p50 {router.P50Ms / nginx.P50Ms:F2}, p99 {router.P99Ms / nginx.P99Ms:F2}");
        }
        finally
        {
            foreach (var process in processes)
            {
                try { process.Kill(entireProcessTree: true); process.WaitForExit(); } catch (InvalidOperationException) { }
            }
            try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Child mode: the upstream "dyno", plain Kestrel answering 1 KB on 127.0.0.1.</summary>
    public static async Task RunUpstreamAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.Run(context =>
        {
            context.Response.ContentType = "text/plain";
            context.Response.ContentLength = Body.Length;
            return context.Response.Body.WriteAsync(Body).AsTask();
        });
        await app.StartAsync();
        Console.WriteLine("ready");
        await Task.Delay(Timeout.Infinite);
    }

    /// <summary>Child mode: nuvemd's router host with a one-app route table pointing at the upstream.</summary>
    public static async Task RunRouterAsync(int port, int upstreamPort)
    {
        var route = new AppRoute("bench-app-id", "bench", Maintenance: false, WebDynosWanted: true, Crashed: false,
            [new Backend("web.1", new Uri($"http://127.0.0.1:{upstreamPort}"))]);
        var options = new RouterOptions { Port = port, Bind = "127.0.0.1" };
        await using var router = await RouterHost.StartAsync(options, new OneRoute(route), new CountingLogplex());
        Console.WriteLine("ready");
        await Task.Delay(Timeout.Infinite);
    }

    private sealed class OneRoute(AppRoute route) : IRouteTable
    {
        public AppRoute? Resolve(string host) => host == Host ? route : null;
    }

    /// <summary>Receives every router line (already formatted, as the real logplex would) and keeps a count.</summary>
    private sealed class CountingLogplex : ILogplex
    {
        private long _lines;
        public void Publish(string appId, string source, string dyno, string message) => Interlocked.Increment(ref _lines);
    }

    private static Process StartNginx(string work, int port, int upstreamPort)
    {
        foreach (var dir in new[] { "logs", "tmp" }) Directory.CreateDirectory(Path.Combine(work, dir));
        var config = Path.Combine(work, "nginx.conf");
        File.WriteAllText(config, $$"""
            worker_processes auto;
            pid {{work}}/nginx.pid;
            error_log {{work}}/logs/error.log warn;
            events { worker_connections 1024; }
            http {
                access_log {{work}}/logs/access.log combined buffer=64k;
                client_body_temp_path {{work}}/tmp/body;
                proxy_temp_path {{work}}/tmp/proxy;
                fastcgi_temp_path {{work}}/tmp/fastcgi;
                uwsgi_temp_path {{work}}/tmp/uwsgi;
                scgi_temp_path {{work}}/tmp/scgi;
                upstream dyno {
                    server 127.0.0.1:{{upstreamPort}};
                    keepalive 64;
                }
                server {
                    listen 127.0.0.1:{{port}};
                    location / {
                        proxy_pass http://dyno;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_set_header Host $host;
                        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                        proxy_set_header X-Forwarded-Proto $scheme;
                        proxy_set_header X-Forwarded-Port $server_port;
                        proxy_set_header X-Request-Id $request_id;
                        proxy_set_header X-Request-Start $msec;
                        add_header X-Request-Id $request_id;
                    }
                }
            }
            """);
        var nginx = Process.Start(new ProcessStartInfo(Which("nginx")!, ["-p", work, "-c", config, "-g", "daemon off;"])
            { RedirectStandardError = true, RedirectStandardOutput = true })!;
        nginx.OutputDataReceived += (_, _) => { };
        nginx.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("nginx: " + e.Data); };
        nginx.BeginOutputReadLine();
        nginx.BeginErrorReadLine();
        return nginx;
    }

    private static async Task<Process> StartChild(params string[] args)
    {
        // Server GC, as nuvemd (an ASP.NET Core app) and a typical .NET dyno run with.
        var child = Process.Start(new ProcessStartInfo("dotnet", [typeof(RouterBenchmark).Assembly.Location, .. args])
            { RedirectStandardOutput = true, Environment = { ["DOTNET_gcServer"] = "1" } })!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        if (await child.StandardOutput.ReadLineAsync(timeout.Token) != "ready") throw new InvalidOperationException($"{string.Join(' ', args)} did not start");
        return child;
    }

    private static async Task WaitForAsync(int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (System.Net.Sockets.SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    internal sealed record Wrk(double RequestsPerSecond, double P50Ms, double P99Ms, long Errors);

    internal static async Task<Wrk> RunWrk(int port, int seconds, int connections, string host = Host)
    {
        var wrk = Process.Start(new ProcessStartInfo("wrk",
            ["-t2", $"-c{connections}", $"-d{seconds}s", "--latency", "-H", $"Host: {host}", $"http://127.0.0.1:{port}/"])
            { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = await wrk.StandardOutput.ReadToEndAsync();
        await wrk.WaitForExitAsync();
        if (wrk.ExitCode != 0) throw new InvalidOperationException($"wrk failed: {output}{await wrk.StandardError.ReadToEndAsync()}");

        double Latency(string percentile)
        {
            var m = Regex.Match(output, $@"^\s*{percentile}%\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
            if (!m.Success) throw new InvalidOperationException($"no {percentile}% latency in wrk's output:\n{output}");
            var value = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            return m.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
        }

        var rps = double.Parse(Regex.Match(output, @"Requests/sec:\s+([\d.]+)").Groups[1].Value, CultureInfo.InvariantCulture);
        long errors = 0;
        var non2xx = Regex.Match(output, @"Non-2xx or 3xx responses:\s+(\d+)");
        if (non2xx.Success) errors += long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture);
        var socket = Regex.Match(output, @"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)");
        if (socket.Success) errors += Enumerable.Range(1, 4).Sum(i => long.Parse(socket.Groups[i].Value, CultureInfo.InvariantCulture));
        return new Wrk(rps, Latency("50"), Latency("99"), errors);
    }

    internal static string? Which(string tool) =>
        new[] { "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin" }
            .Select(dir => Path.Combine(dir, tool)).FirstOrDefault(File.Exists);
}
