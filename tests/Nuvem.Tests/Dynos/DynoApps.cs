using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Dynos;

/// <summary>Small apps for dyno tests, pushed with real git: a web server that says which dyno and config it runs.</summary>
public static class DynoApps
{
    /// <summary>A web process answering "DYNO COLOR" on $PORT (Python's standard library), plus a worker.</summary>
    public static GitWorkspace Web(NuvemServer server, string extraProcfile = "") => new GitWorkspace(server)
        .Write("Procfile", "web: python3 server.py\nworker: sh -c 'while true; do echo working; sleep 1; done'\n" + extraProcfile)
        .Write("server.py", """
            import os, http.server
            class Handler(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    body = (os.environ.get("DYNO", "?") + " " + os.environ.get("COLOR", "none") + "\n").encode()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *args):
                    pass
            print("listening on", os.environ["PORT"], flush=True)
            http.server.ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), Handler).serve_forever()
            """);

    /// <summary>The app's log (up to 1,500 lines) through a real log session, one line per log line.</summary>
    public static async Task<string> Logs(NuvemServer server, ApiClient api, string app)
    {
        var session = await api.Post($"/apps/{app}/log-sessions", new { lines = 1500 });
        var events = await Nuvem.Tests.Logplex.SseEvents.ReadAllAsync(server, session.Json["logplex_url"]!.GetValue<string>());
        return string.Join("\n", events.Data);
    }

    public static async Task<T> Eventually<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null, string? what = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var value = await probe();
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting for {what ?? "a condition"}; last value: {value}");
            await Task.Delay(200);
        }
    }
}
