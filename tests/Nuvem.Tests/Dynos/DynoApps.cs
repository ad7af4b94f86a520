using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Dynos;

/// <summary>Small apps for dyno tests, pushed with real git: a web server that says which dyno and config it runs.</summary>
public static class DynoApps
{
    /// <summary>A web process answering "DYNO COLOR" on $PORT (Python's standard library), plus a worker.</summary>
    public static GitWorkspace Web(NuvemServer server, string extraProcfile = "") => new GitWorkspace(server)
        .Write("Procfile", "web: python3 server.py\nworker: sh -c 'while true; do echo working; sleep 1; done'\n" + extraProcfile)
        .Write("server.py", PythonWebServer.Source("os.environ.get(\"COLOR\", \"none\")"));

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
