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
/// The router's error responses (404, H10, H12, H13, H14, H80), hosted as in <see cref="RouterTests"/>: the router core
/// in-process exactly as nuvemd hosts it, a test route table over real Kestrel upstreams on loopback.
/// </summary>
public sealed class RouterErrorTests : IAsyncLifetime
{
    private TestRouter _router = null!;

    public async Task InitializeAsync() => _router = await TestRouter.StartAsync(firstByteTimeout: TimeSpan.FromSeconds(2));

    public async Task DisposeAsync() => await _router.DisposeAsync();

    private static string Uuid => "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    [Fact]
    public async Task An_unknown_host_gets_the_404_no_such_app_page_and_no_router_line()
    {
        using var client = _router.Client();
        using var response = await client.GetAsync("http://nothing-here.test/");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("No such app", await response.Content.ReadAsStringAsync());
        Assert.Empty(_router.Logplex.Lines);
    }

    [Fact]
    public async Task No_web_dynos_is_H14_whether_none_are_wanted_or_none_is_up()
    {
        _router.Routes.Set("scaled-down.test", new AppRoute("id-down", "down", false, WebDynosWanted: false, Crashed: false, []));
        _router.Routes.Set("starting.test", new AppRoute("id-starting", "starting", false, WebDynosWanted: true, Crashed: false, []));
        using var client = _router.Client();

        foreach (var (host, appId) in new[] { ("scaled-down.test", "id-down"), ("starting.test", "id-starting") })
        {
            using var response = await client.GetAsync($"http://{host}/x");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Contains("Application error", await response.Content.ReadAsStringAsync());
            var line = Assert.Single(await _router.Logplex.RouterLinesAsync(appId));
            Assert.Matches($"^at=error code=H14 desc=\"No web processes running\" method=GET path=\"/x\" host={Regex.Escape(host)} request_id={Uuid} " +
                           "fwd=\"127\\.0\\.0\\.1\" dyno= connect= service= status=503 bytes= protocol=http$", line);
        }
    }

    [Fact]
    public async Task A_crashed_app_is_H10()
    {
        _router.Routes.Set("crashed.test", new AppRoute("id-crashed", "crashed", false, WebDynosWanted: true, Crashed: true, []));
        using var client = _router.Client();
        using var response = await client.GetAsync("http://crashed.test/");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("Application error", await response.Content.ReadAsStringAsync());
        Assert.StartsWith("at=error code=H10 desc=\"App crashed\" method=GET path=\"/\" host=crashed.test ",
            Assert.Single(await _router.Logplex.RouterLinesAsync("id-crashed")));
    }

    [Fact]
    public async Task Maintenance_mode_is_H80_with_the_maintenance_page_even_with_dynos_up()
    {
        await using var web = await Upstream.StartAsync("web.1");
        _router.Routes.Set("maint.test", TestRouteTable.App("maint", web.Backend) with { Maintenance = true });
        using var client = _router.Client();
        using var response = await client.GetAsync("http://maint.test/");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("Offline for maintenance", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, web.Requests);
        Assert.StartsWith("at=info code=H80 desc=\"Maintenance mode\" method=GET path=\"/\" host=maint.test ",
            Assert.Single(await _router.Logplex.RouterLinesAsync("id-maint")));
    }

    [Fact]
    public async Task A_dyno_that_does_not_answer_within_the_timeout_is_H12()
    {
        await using var slow = await Upstream.StartAsync("web.1", async context =>
        {
            try { await Task.Delay(TimeSpan.FromSeconds(20), context.RequestAborted); } catch (OperationCanceledException) { }
        });
        _router.Routes.Set("slow.test", TestRouteTable.App("slow", slow.Backend));
        using var client = _router.Client();

        var clock = Stopwatch.StartNew();
        using var response = await client.GetAsync("http://slow.test/report");
        clock.Stop();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("Application error", await response.Content.ReadAsStringAsync());
        Assert.InRange(clock.Elapsed.TotalSeconds, 1.9, 6);
        var line = Assert.Single(await _router.Logplex.RouterLinesAsync("id-slow"));
        Assert.Matches($"^at=error code=H12 desc=\"Request timeout\" method=GET path=\"/report\" host=slow\\.test request_id={Uuid} " +
                       "fwd=\"127\\.0\\.0\\.1\" dyno=web\\.1 connect=\\d+ms service=\\d+ms status=503 bytes=0 protocol=http$", line);
        // The timeout runs from the moment the request goes to the dyno, connecting included.
        var connectAndService = int.Parse(Regex.Match(line, "connect=(\\d+)ms").Groups[1].Value) + int.Parse(Regex.Match(line, "service=(\\d+)ms").Groups[1].Value);
        Assert.InRange(connectAndService, 1900, 6000);
    }

    [Fact]
    public async Task The_timeout_is_for_the_first_byte_only_a_response_streaming_longer_is_not_cut()
    {
        await using var streaming = await Upstream.StartAsync("web.1", async context =>
        {
            for (var i = 0; i < 4; i++)
            {
                await context.Response.WriteAsync($"chunk {i}\n");
                await context.Response.Body.FlushAsync();
                await Task.Delay(800);
            }
        });
        _router.Routes.Set("stream.test", TestRouteTable.App("stream", streaming.Backend));
        using var client = _router.Client();
        var body = await client.GetStringAsync("http://stream.test/");
        Assert.Equal("chunk 0\nchunk 1\nchunk 2\nchunk 3\n", body);
        Assert.StartsWith("at=info method=GET", Assert.Single(await _router.Logplex.RouterLinesAsync("id-stream")));
    }

    [Fact]
    public async Task A_dyno_closing_the_connection_without_a_response_is_H13()
    {
        using var rude = new HangUpUpstream("web.1");
        _router.Routes.Set("rude.test", TestRouteTable.App("rude", rude.Backend));
        using var client = _router.Client();
        using var response = await client.GetAsync("http://rude.test/");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("Application error", await response.Content.ReadAsStringAsync());
        Assert.Matches("^at=error code=H13 desc=\"Connection closed without response\" method=GET path=\"/\" host=rude\\.test .* dyno=web\\.1 connect=\\d+ms service=\\d+ms status=503 bytes=0 protocol=http$",
            Assert.Single(await _router.Logplex.RouterLinesAsync("id-rude")));
    }

    [Fact]
    public async Task A_refused_connection_is_retried_on_another_dyno_and_is_H13_when_there_is_none()
    {
        await using var web = await Upstream.StartAsync("web.2");
        var dead = new Backend("web.1", new Uri($"http://127.0.0.1:{Repo.FreePort()}"));
        _router.Routes.Set("half.test", TestRouteTable.App("half", dead, web.Backend));
        _router.Routes.Set("dead.test", TestRouteTable.App("dead", dead));
        using var client = _router.Client();

        for (var i = 0; i < 10; i++)
        {
            using var response = await client.GetAsync("http://half.test/");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("hello from web.2", await response.Content.ReadAsStringAsync());
        }
        Assert.All(await _router.Logplex.RouterLinesAsync("id-half", 10), line => Assert.Contains(" dyno=web.2 ", line));

        using var refused = await client.GetAsync("http://dead.test/");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Matches("^at=error code=H13 desc=\"Backend connection refused\" method=GET path=\"/\" host=dead\\.test .* dyno=web\\.1 .* status=503 ",
            Assert.Single(await _router.Logplex.RouterLinesAsync("id-dead")));
    }
}
