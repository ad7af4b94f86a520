using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Nuvem.Platform.Logplex;
using Nuvem.Platform.Routing;
using Nuvem.Server.Router;

namespace Nuvem.Tests.Router;

/// <summary>A route table the test writes: host → app route, changed at will between requests.</summary>
public sealed class TestRouteTable : IRouteTable
{
    private readonly ConcurrentDictionary<string, AppRoute> _routes = new();

    public void Set(string host, AppRoute route) => _routes[host] = route;

    public void Remove(string host) => _routes.TryRemove(host, out _);

    public AppRoute? Resolve(string host) => _routes.GetValueOrDefault(host);

    public static AppRoute App(string name, params Backend[] backends) =>
        new($"id-{name}", name, Maintenance: false, WebDynosWanted: true, Crashed: false, backends);
}

/// <summary>Keeps every published line, for assertions on the router line.</summary>
public sealed class RecordingLogplex : ILogplex
{
    public ConcurrentQueue<(string AppId, string Source, string Dyno, string Message)> Lines { get; } = new();

    public void Publish(string appId, string source, string dyno, string message) => Lines.Enqueue((appId, source, dyno, message));

    /// <summary>The router lines of an app, waiting briefly: a line is published once the response has been sent.</summary>
    public async Task<IReadOnlyList<string>> RouterLinesAsync(string appId, int atLeast = 1)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var lines = Lines.Where(l => l.AppId == appId && l.Source == "heroku" && l.Dyno == "router").Select(l => l.Message).ToList();
            if (lines.Count >= atLeast || DateTime.UtcNow > deadline) return lines;
            await Task.Delay(20);
        }
    }
}

/// <summary>A real Kestrel web server on 127.0.0.1 standing in for one web dyno.</summary>
public sealed class Upstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private Upstream(WebApplication app, string dyno, int port)
    {
        _app = app;
        Backend = new Backend(dyno, new Uri($"http://127.0.0.1:{port}"));
    }

    public Backend Backend { get; }

    public int Requests;

    public static async Task<Upstream> StartAsync(string dyno, RequestDelegate? handler = null, bool webSockets = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var port = Infrastructure.Repo.FreePort();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        if (webSockets) app.UseWebSockets();
        Upstream? self = null;
        app.Run(async context =>
        {
            Interlocked.Increment(ref self!.Requests);
            if (handler is not null) await handler(context);
            else await context.Response.WriteAsync($"hello from {dyno}");
        });
        await app.StartAsync();
        self = new Upstream(app, dyno, port);
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A TCP server that reads a request and closes the connection without answering (H13).</summary>
public sealed class HangUpUpstream : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();

    public HangUpUpstream(string dyno)
    {
        _listener.Start();
        Backend = new Backend(dyno, new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}"));
        _ = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                var buffer = new byte[8192];
                _ = await client.GetStream().ReadAsync(buffer, _stop.Token); // the request (or its start): any part will do
                client.Client.Close();
            }
        });
    }

    public Backend Backend { get; }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }
}

/// <summary>An in-process router (the same <see cref="RouterHost"/> nuvemd runs) on a free loopback port.</summary>
public sealed class TestRouter : IAsyncDisposable
{
    private TestRouter(RouterHost host) => Host = host;

    public RouterHost Host { get; }
    public TestRouteTable Routes { get; private init; } = null!;
    public RecordingLogplex Logplex { get; private init; } = null!;
    public int Port => Host.Port;

    public static async Task<TestRouter> StartAsync(TimeSpan? firstByteTimeout = null)
    {
        var routes = new TestRouteTable();
        var logplex = new RecordingLogplex();
        var options = new RouterOptions { Port = 0, Bind = "localhost", FirstByteTimeout = firstByteTimeout ?? TimeSpan.FromSeconds(2) };
        var host = await RouterHost.StartAsync(options, routes, logplex);
        return new TestRouter(host) { Routes = routes, Logplex = logplex };
    }

    /// <summary>An HTTP client that resolves every host name to this router, so requests carry real Host headers.</summary>
    public HttpClient Client() => RouterClient.For(Port);

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();
}

public static class RouterClient
{
    public static SocketsHttpHandler Handler(int port) => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        ConnectCallback = async (_, cancellation) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellation);
            return new NetworkStream(socket, ownsSocket: true);
        },
    };

    public static HttpClient For(int port) => new(Handler(port)) { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>GET http://APP.localhost/PATH through a server's router: the status and the body, trimmed.</summary>
    public static async Task<(HttpStatusCode Status, string Body)> GetAsync(int port, string app, string path = "/")
    {
        using var client = For(port);
        using var response = await client.GetAsync($"http://{app}.localhost{path}");
        return (response.StatusCode, (await response.Content.ReadAsStringAsync()).Trim());
    }
}
