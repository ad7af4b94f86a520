using System.Net;
using System.Text.Json.Nodes;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Logplex;

/// <summary>
/// Log sessions against the real server, read the way the heroku CLI reads them (reference section 6): POST
/// log-sessions with the token, then a plain GET of <c>logplex_url</c> with no Authorization header, as SSE.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class LogSessionTests(ServerFixture fixture)
{
    private NuvemServer Server => fixture.Server;

    /// <summary>An app with a release that declares web and worker, so it can be scaled. Its dynos start (and, having no
    /// ./web to run, crash) and log like any app's: tests here look at the lines they are about.</summary>
    private async Task<string> DeployedApp(ApiClient api)
    {
        var app = await fixture.NewAppAsync(api, "logs");
        var slug = await SlugBlobs.CreateAsync(Server, api, app, new { web = "./web", worker = "./worker" });
        Assert.Equal(HttpStatusCode.Created, (await api.Post($"/apps/{app}/releases", new { slug })).Status);
        return app;
    }

    [Fact]
    public async Task Config_changes_deploys_rollbacks_and_scaling_write_heroku_api_lines()
    {
        using var api = Server.Api();
        var app = await DeployedApp(api);                                                  // v2 (v1 is the empty app)
        await api.Patch($"/apps/{app}/config-vars", new { FOO = "1", BAR = "2" });          // v3
        await api.Patch($"/apps/{app}/config-vars", new Dictionary<string, string?> { ["FOO"] = null }); // v4
        await api.Post($"/apps/{app}/releases", new { release = "2" });                    // v5
        await api.Patch($"/apps/{app}/formation", new { updates = new object[] { new { type = "web", quantity = 3 }, new { type = "worker", quantity = "1", size = "standard-2x" } } });

        var events = await SseEvents.ReadAllAsync(Server, await Session(api, app, new { lines = 100 }));
        var by = $"by user {NuvemServer.AdminEmail}";
        var deploy = (await api.Get($"/apps/{app}/releases/2")).Json["description"]!.GetValue<string>();
        Assert.StartsWith("Deploy ", deploy);
        Assert.Equal(
        [
            $"app[api]: Initial release {by}",
            $"app[api]: Release v1 created {by}",
            $"app[api]: {deploy} {by}",
            $"app[api]: Release v2 created {by}",
            $"app[api]: Set FOO, BAR config vars {by}",
            $"app[api]: Release v3 created {by}",
            $"app[api]: Remove FOO config vars {by}",
            $"app[api]: Release v4 created {by}",
            $"app[api]: Rollback to v2 {by}",
            $"app[api]: Release v5 created {by}",
            $"app[api]: Scaled to web@3:Basic worker@1:Standard-2X {by}",
        ], events.Data.Select(WithoutTimestamp).Where(line => line.StartsWith("app[api]: ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Without_tail_the_session_sends_the_last_n_lines_as_sse_and_closes()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api, "logs");
        for (var i = 0; i < 4; i++) await api.Patch($"/apps/{app}/config-vars", new Dictionary<string, string> { [$"K{i}"] = "v" });

        var created = await api.Post($"/apps/{app}/log-sessions", new { lines = 3, tail = false });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        foreach (var field in new[] { "id", "logplex_url", "created_at", "updated_at" }) Assert.NotNull(created.Json[field]);
        var url = created.Json["logplex_url"]!.GetValue<string>();
        Assert.StartsWith($"https://localhost:{Server.ApiPort}/", url);

        // Exactly what the heroku CLI's EventSource sends: no Authorization header.
        using var client = Server.CreateClient(token: null, accept: "text/event-stream");
        client.DefaultRequestHeaders.UserAgent.ParseAdd("heroku-run");
        client.DefaultRequestHeaders.CacheControl = new() { NoCache = true };
        using var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.ToString());
        var body = await response.Content.ReadAsStringAsync(); // returns: the server closed the stream

        var events = SseEvents.Parse(body);
        Assert.Equal(new[] { "Set K2 config vars", "Release v4 created", "Set K3 config vars", "Release v5 created" }.TakeLast(3),
            events.Data.Select(d => WithoutTimestamp(d)["app[api]: ".Length..].Replace($" by user {NuvemServer.AdminEmail}", "")));
        Assert.Equal(3, events.Ids.Count);
        Assert.True(events.Ids.Zip(events.Ids.Skip(1)).All(p => long.Parse(p.First) < long.Parse(p.Second)));
        Assert.Matches(@"^id: \d+\ndata: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00 app\[api\]: [^\n]+\n\n", body);
    }

    [Fact]
    public async Task With_tail_a_new_line_arrives_within_a_second_and_last_event_id_resumes_without_repeats()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api, "logs");
        await api.Patch($"/apps/{app}/config-vars", new { FIRST = "1" });
        var url = await Session(api, app, new { lines = 2, tail = true });

        using var client = Server.CreateClient(token: null, accept: "text/event-stream");
        using var stream = await SseStream.OpenAsync(client, url);
        Assert.EndsWith($"Set FIRST config vars by user {NuvemServer.AdminEmail}", (await stream.NextAsync()).Data);
        Assert.EndsWith($"Release v2 created by user {NuvemServer.AdminEmail}", (await stream.NextAsync()).Data);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await api.Patch($"/apps/{app}/config-vars", new { SECOND = "2" });
        SseEvent second;
        do second = await stream.NextAsync();
        while (!second.Data.Contains("SECOND"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"the line took {clock.ElapsedMilliseconds} ms");
        var third = await stream.NextAsync();
        Assert.EndsWith("Release v3 created by user " + NuvemServer.AdminEmail, third.Data);

        // Reconnect as EventSource does after a drop: same URL, Last-Event-ID of the last event seen.
        await api.Patch($"/apps/{app}/config-vars", new { THIRD = "3" });
        using var resumed = await SseStream.OpenAsync(client, url, lastEventId: second.Id);
        Assert.Equal(third.Id, (await resumed.NextAsync()).Id);
        Assert.Contains("Set THIRD config vars", (await resumed.NextAsync()).Data);
        Assert.Contains("Release v4 created", (await resumed.NextAsync()).Data);
    }

    [Fact]
    public async Task Filters_by_source_and_dyno_and_rejects_nonsense_with_422()
    {
        using var api = Server.Api();
        var app = await DeployedApp(api);
        await api.Patch($"/apps/{app}/formation/web", new { quantity = 2 });

        Assert.All((await SseEvents.ReadAllAsync(Server, await Session(api, app, new { source = "heroku" }))).Data,
            line => Assert.StartsWith("heroku[", WithoutTimestamp(line)));
        Assert.Equal(5, (await SseEvents.ReadAllAsync(Server, await Session(api, app, new { source = "app", dyno = "api" }))).Data.Count);
        Assert.All((await SseEvents.ReadAllAsync(Server, await Session(api, app, new { dyno = "web" }))).Data,
            line => Assert.Matches(@"^(app|heroku)\[web\.\d+\]: ", WithoutTimestamp(line)));
        Assert.Empty((await SseEvents.ReadAllAsync(Server, await Session(api, app, new { dyno = "router" }))).Data);

        foreach (var body in new object[] { new { source = "system" }, new { dyno = "web 1" }, new { lines = -1 }, new { lines = "ten" }, new { tail = "yes" } })
        {
            var reply = await api.Post($"/apps/{app}/log-sessions", body);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, reply.Status);
            Assert.Equal("invalid_params", reply.ErrorId);
        }
        Assert.Equal(HttpStatusCode.Created, (await api.Post($"/apps/{app}/log-sessions", new { lines = 100_000 })).Status);
    }

    [Fact]
    public async Task Sessions_need_the_owner_and_the_url_needs_its_signature()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api, "logs");
        using var anonymous = new ApiClient(Server.CreateClient());
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.Post($"/apps/{app}/log-sessions", new { })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.Post("/apps/no-such-app/log-sessions", new { })).Status);

        var url = await Session(api, app, new { lines = 5 });
        using var client = Server.CreateClient(token: null, accept: "text/event-stream");
        foreach (var forged in new[] { url.Replace("lines=5", "lines=6"), url.Replace("tail=false", "tail=true"), url[..^4] + "0000", url.Split("&token=")[0] })
        {
            using var response = await client.GetAsync(forged);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
        await api.Delete($"/apps/{app}");
        using (var gone = await client.GetAsync(url)) Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    private static async Task<string> Session(ApiClient api, string app, object body)
    {
        var reply = await api.Post($"/apps/{app}/log-sessions", body);
        Assert.True(reply.Status == HttpStatusCode.Created, reply.Text);
        return reply.Json["logplex_url"]!.GetValue<string>();
    }

    /// <summary><c>2026-…+00:00 app[api]: …</c> → <c>app[api]: …</c>.</summary>
    internal static string WithoutTimestamp(string data) => data[(data.IndexOf(' ') + 1)..];
}

public sealed record SseEvent(string Id, string Data);

/// <summary>A whole (non-tail) SSE body, parsed.</summary>
public sealed record SseEvents(List<string> Ids, List<string> Data)
{
    public static async Task<SseEvents> ReadAllAsync(NuvemServer server, string url)
    {
        using var client = server.CreateClient(token: null, accept: "text/event-stream");
        using var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Parse(await response.Content.ReadAsStringAsync());
    }

    public static SseEvents Parse(string body)
    {
        var events = new SseEvents([], []);
        foreach (var block in body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var lines = block.Split('\n');
            var data = lines.Where(l => l.StartsWith("data: ", StringComparison.Ordinal)).Select(l => l[6..]).ToList();
            if (data.Count == 0) continue;
            events.Ids.Add(lines.Single(l => l.StartsWith("id: ", StringComparison.Ordinal))[4..]);
            events.Data.AddRange(data);
        }
        return events;
    }
}

/// <summary>A live SSE stream read event by event.</summary>
public sealed class SseStream : IDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private SseStream(HttpResponseMessage response, StreamReader reader)
    {
        _response = response;
        _reader = reader;
    }

    public static async Task<SseStream> OpenAsync(HttpClient client, string url, string? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        return new SseStream(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    /// <summary>The next event with data (comments and retry blocks are skipped), within 10 s.</summary>
    public async Task<SseEvent> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        string? id = null;
        var data = new List<string>();
        while (true)
        {
            var line = await _reader.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException("the server closed the stream");
            if (line.Length == 0)
            {
                if (data.Count > 0) return new SseEvent(id!, string.Join("\n", data));
                continue;
            }
            if (line.StartsWith("id: ", StringComparison.Ordinal)) id = line[4..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data.Add(line[6..]);
        }
    }

    public void Dispose()
    {
        _reader.Dispose();
        _response.Dispose();
    }
}
