using System.Net;
using System.Text.Json.Nodes;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Router;

/// <summary>
/// The router inside the real nuvemd, on NUVEM_ROUTER_PORT: hosts resolve through the platform's apps and custom
/// domains. No dynos run yet in this server, so a known app answers H14 and its router line is published.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class NuvemdRouterTests(ServerFixture fixture)
{
    private NuvemServer Server => fixture.Server;

    private async Task<(string Name, string Id)> NewApp(ApiClient api)
    {
        var name = await fixture.NewAppAsync(api, "r");
        return (name, (await api.Get($"/apps/{name}")).Json["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unknown_host_is_404_no_such_app()
    {
        using var client = RouterClient.For(Server.RouterPort);
        using var response = await client.GetAsync($"http://no-such-app-{Guid.NewGuid():N}.localhost/");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("No such app", await response.Content.ReadAsStringAsync());
        Assert.True(response.Headers.Contains("X-Request-Id"));
    }

    [Fact]
    public async Task An_app_without_web_dynos_is_503_H14_and_the_router_line_is_published()
    {
        using var api = Server.Api();
        var (app, id) = await NewApp(api);
        using var client = RouterClient.For(Server.RouterPort);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{app}.localhost:{Server.RouterPort}/pricing?plan=a");
        request.Headers.Add("X-Request-Id", "integration-test-request-0001");
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("Application error", await response.Content.ReadAsStringAsync());
        var expected = $"at=error code=H14 desc=\"No web processes running\" method=GET path=\"/pricing?plan=a\" host={app}.localhost " +
                       "request_id=integration-test-request-0001 fwd=\"127.0.0.1\" dyno= connect= service= status=503 bytes= protocol=http";
        Assert.Contains(expected, await RouterLines(api, app, id, expected));
    }

    [Fact]
    public async Task Custom_domains_route_to_their_app_as_soon_as_added_and_stop_when_removed()
    {
        using var api = Server.Api();
        var (app, _) = await NewApp(api);
        var host = $"www.{app}.example.org";
        using var client = RouterClient.For(Server.RouterPort);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"http://{host}/")).StatusCode);

        Assert.Equal(HttpStatusCode.Created, (await api.Post($"/apps/{app}/domains", new { hostname = host })).Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync($"http://{host}/")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync($"http://WWW.{app}.EXAMPLE.ORG./")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await api.Delete($"/apps/{app}/domains/{host}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"http://{host}/")).StatusCode);
    }

    [Fact]
    public async Task Maintenance_mode_is_H80_at_once()
    {
        using var api = Server.Api();
        var (app, id) = await NewApp(api);
        await api.Patch($"/apps/{app}", new { maintenance = true });
        using var client = RouterClient.For(Server.RouterPort);
        using var response = await client.GetAsync($"http://{app}.localhost/");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("Offline for maintenance", await response.Content.ReadAsStringAsync());
        var expected = $"at=info code=H80 desc=\"Maintenance mode\" method=GET path=\"/\" host={app}.localhost ";
        Assert.Contains(expected, await RouterLines(api, app, id, expected));
    }

    /// <summary>
    /// The app's router lines: from the log stream (<c>POST /apps/{app}/log-sessions</c>) once the platform has
    /// one, else from nuvemd's own output, where the stand-in logplex writes <c>APP_ID heroku[router]: …</c>.
    /// </summary>
    private async Task<string> RouterLines(ApiClient api, string app, string appId, string expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            string text;
            var session = await api.Post($"/apps/{app}/log-sessions", new { lines = 1500, source = "heroku", dyno = "router" });
            if (session.Status == HttpStatusCode.NotFound && session.Text.Contains("No such API endpoint"))
            {
                text = string.Join('\n', Server.Output.Split('\n').Where(l => l.Contains($"{appId} heroku[router]: ")));
            }
            else
            {
                var url = session.Json["logplex_url"]!.GetValue<string>();
                using var logs = Server.CreateClient();
                using var stream = new HttpRequestMessage(HttpMethod.Get, url);
                stream.Headers.Accept.ParseAdd("text/event-stream");
                using var reply = await logs.SendAsync(stream);
                text = await reply.Content.ReadAsStringAsync();
            }
            if (text.Contains(expected) || DateTime.UtcNow > deadline) return text;
            await Task.Delay(100);
        }
    }
}
