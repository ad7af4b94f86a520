using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Nuvem.Platform.Routing;
using Nuvem.Server.Router;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Router;

/// <summary>
/// The router core hosted in-process exactly as nuvemd hosts it, with a test route table over real Kestrel
/// upstreams on loopback: client → router (real listener) → upstream, real HTTP end to end.
/// </summary>
public sealed class RouterTests : IAsyncLifetime
{
    private TestRouter _router = null!;

    public async Task InitializeAsync() => _router = await TestRouter.StartAsync(firstByteTimeout: TimeSpan.FromSeconds(2));

    public async Task DisposeAsync() => await _router.DisposeAsync();

    private static string Uuid => "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    [Fact]
    public async Task Forwards_to_the_apps_dyno_with_herokus_headers_and_logs_the_router_line()
    {
        Dictionary<string, string> seen = new(StringComparer.OrdinalIgnoreCase);
        await using var web = await Upstream.StartAsync("web.1", async context =>
        {
            foreach (var (name, value) in context.Request.Headers) seen[name] = value.ToString();
            seen["(path)"] = context.Request.Path + context.Request.QueryString;
            await context.Response.WriteAsync("hello from web.1");
        });
        _router.Routes.Set("demo.test", TestRouteTable.App("demo", web.Backend));
        using var client = _router.Client();
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        using var request = new HttpRequestMessage(HttpMethod.Get, "http://demo.test/hello?x=1");
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("hello from web.1", await response.Content.ReadAsStringAsync());
        var requestId = Assert.Single(response.Headers.GetValues("X-Request-Id"));
        Assert.Matches($"^{Uuid}$", requestId);
        Assert.False(response.Headers.Contains("Via"));

        Assert.Equal("/hello?x=1", seen["(path)"]);
        Assert.Equal("demo.test", seen["Host"]);
        Assert.Equal("203.0.113.7, 127.0.0.1", seen["X-Forwarded-For"]);
        Assert.Equal("http", seen["X-Forwarded-Proto"]);
        Assert.Equal(_router.Port.ToString(), seen["X-Forwarded-Port"]);
        Assert.Equal(requestId, seen["X-Request-Id"]);
        var start = long.Parse(seen["X-Request-Start"]);
        Assert.InRange(start, before - 1000, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        Assert.False(seen.ContainsKey("Via"));

        var line = Assert.Single(await _router.Logplex.RouterLinesAsync("id-demo"));
        Assert.Matches(
            $"^at=info method=GET path=\"/hello\\?x=1\" host=demo\\.test request_id={requestId} fwd=\"203\\.0\\.113\\.7, 127\\.0\\.0\\.1\" " +
            "dyno=web\\.1 connect=\\d+ms service=\\d+ms status=200 bytes=16 protocol=http$", line);
    }

    [Fact]
    public async Task A_sane_client_request_id_is_kept_and_anything_else_replaced()
    {
        string? seen = null;
        await using var web = await Upstream.StartAsync("web.1", context =>
        {
            seen = context.Request.Headers["X-Request-Id"];
            return Task.CompletedTask;
        });
        _router.Routes.Set("ids.test", TestRouteTable.App("ids", web.Backend));
        using var client = _router.Client();

        foreach (var (sent, kept) in new[] { ("client-chosen-request-id-0001", true), ("short", false), ("has spaces and is long enough", false), (new string('a', 201), false) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "http://ids.test/");
            request.Headers.TryAddWithoutValidation("X-Request-Id", sent);
            using var response = await client.SendAsync(request);
            var returned = Assert.Single(response.Headers.GetValues("X-Request-Id"));
            Assert.Equal(returned, seen);
            if (kept) Assert.Equal(sent, returned);
            else Assert.Matches($"^{Uuid}$", returned);
        }
    }

    [Fact]
    public async Task Request_bodies_and_methods_pass_through()
    {
        await using var echo = await Upstream.StartAsync("web.1", async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            context.Response.StatusCode = 201;
            await context.Response.WriteAsync($"{context.Request.Method} {await reader.ReadToEndAsync()}");
        });
        _router.Routes.Set("echo.test", TestRouteTable.App("echo", echo.Backend));
        using var client = _router.Client();
        var payload = new string('x', 300_000);
        using var response = await client.PostAsync("http://echo.test/items", new StringContent(payload));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("POST " + payload, await response.Content.ReadAsStringAsync());
        Assert.Contains(" status=201 bytes=300005 ", Assert.Single(await _router.Logplex.RouterLinesAsync("id-echo")));
    }

    [Fact]
    public async Task WebSockets_pass_through_the_router()
    {
        await using var ws = await Upstream.StartAsync("web.1", async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = 400;
                return;
            }
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[4096];
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                    return;
                }
                var reply = Encoding.UTF8.GetBytes("echo: " + Encoding.UTF8.GetString(buffer, 0, received.Count));
                await socket.SendAsync(reply, WebSocketMessageType.Text, true, CancellationToken.None);
            }
        }, webSockets: true);
        _router.Routes.Set("ws.test", TestRouteTable.App("ws", ws.Backend));

        using var invoker = new HttpMessageInvoker(RouterClient.Handler(_router.Port));
        using var client = new ClientWebSocket();
        await client.ConnectAsync(new Uri("ws://ws.test/socket"), invoker, CancellationToken.None);
        var received = new byte[4096];
        foreach (var message in new[] { "one", "two" })
        {
            await client.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, true, CancellationToken.None);
            var result = await client.ReceiveAsync(received, CancellationToken.None);
            Assert.Equal("echo: " + message, Encoding.UTF8.GetString(received, 0, result.Count));
        }
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        Assert.Equal(WebSocketState.Closed, client.State);
        Assert.Contains(" path=\"/socket\" host=ws.test ", Assert.Single(await _router.Logplex.RouterLinesAsync("id-ws")));
        Assert.Contains(" status=101 ", Assert.Single(await _router.Logplex.RouterLinesAsync("id-ws")));
    }

    [Fact]
    public async Task Requests_spread_over_three_dynos()
    {
        await using var a = await Upstream.StartAsync("web.1");
        await using var b = await Upstream.StartAsync("web.2");
        await using var c = await Upstream.StartAsync("web.3");
        _router.Routes.Set("spread.test", TestRouteTable.App("spread", a.Backend, b.Backend, c.Backend));
        using var client = _router.Client();

        const int total = 300;
        var served = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        await Parallel.ForAsync(0, total, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, cancellation) =>
        {
            var body = await client.GetStringAsync("http://spread.test/", cancellation);
            served.AddOrUpdate(body, 1, (_, n) => n + 1);
        });

        Assert.Equal(total, served.Values.Sum());
        foreach (var upstream in new[] { a, b, c })
        {
            // Even spread is 100 each; anything under 50 would mean the choice is badly skewed.
            Assert.InRange(upstream.Requests, 50, 150);
            Assert.Equal(upstream.Requests, served[$"hello from {upstream.Backend.Dyno}"]);
        }
    }

    [Fact]
    public void Power_of_two_choices_never_picks_the_busiest_of_three_and_counts_leases()
    {
        var balancer = new BackendBalancer();
        var busy = new Backend("web.1", new Uri("http://127.0.0.1:1"));
        var b = new Backend("web.2", new Uri("http://127.0.0.1:2"));
        var c = new Backend("web.3", new Uri("http://127.0.0.1:3"));
        var leases = Enumerable.Range(0, 3).Select(_ => balancer.Acquire(busy)).ToList();
        Assert.Equal(3, balancer.InFlight(busy));

        var picks = Enumerable.Range(0, 300).Select(_ => balancer.Pick([busy, b, c])).ToList();
        Assert.DoesNotContain(busy, picks);
        Assert.Contains(b, picks);
        Assert.Contains(c, picks);

        foreach (var lease in leases) lease.Dispose();
        Assert.Equal(0, balancer.InFlight(busy));
        Assert.Contains(busy, Enumerable.Range(0, 300).Select(_ => balancer.Pick([busy, b, c])));
        Assert.Equal(b, balancer.Pick([busy, b], exclude: busy));
    }

    [Fact]
    public async Task Route_changes_apply_to_the_next_request_without_a_restart()
    {
        await using var v1 = await Upstream.StartAsync("web.1", context => context.Response.WriteAsync("v1"));
        await using var v2 = await Upstream.StartAsync("web.2", context => context.Response.WriteAsync("v2"));
        using var client = _router.Client();

        _router.Routes.Set("deploy.test", TestRouteTable.App("deploy", v1.Backend));
        Assert.Equal("v1", await client.GetStringAsync("http://deploy.test/"));
        _router.Routes.Set("deploy.test", TestRouteTable.App("deploy", v2.Backend));
        Assert.Equal("v2", await client.GetStringAsync("http://deploy.test/"));
        _router.Routes.Set("deploy.test", TestRouteTable.App("deploy", v2.Backend) with { Maintenance = true });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("http://deploy.test/")).StatusCode);
        _router.Routes.Remove("deploy.test");
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("http://deploy.test/")).StatusCode);
    }

    [Fact]
    public void The_router_line_has_herokus_field_order()
    {
        var line = new RouterLogLine
        {
            At = "error", Code = "H12", Desc = "Request timeout", Method = "POST", Path = "/a \"b\"", Host = "app.localhost",
            RequestId = "rid", Fwd = "10.0.0.1, 127.0.0.1", Dyno = "web.2", ConnectMs = 1, ServiceMs = 30000, Status = 503, Bytes = 0,
        };
        Assert.Equal("at=error code=H12 desc=\"Request timeout\" method=POST path=\"/a \\\"b\\\"\" host=app.localhost request_id=rid " +
                     "fwd=\"10.0.0.1, 127.0.0.1\" dyno=web.2 connect=1ms service=30000ms status=503 bytes=0 protocol=http", line.ToString());
        Assert.Equal("at=info method=GET path=\"/\" host=h request_id=r fwd=\"f\" dyno= connect= service= status=503 bytes= protocol=http",
            new RouterLogLine { Method = "GET", Path = "/", Host = "h", RequestId = "r", Fwd = "f", Status = 503 }.ToString());
    }
}
