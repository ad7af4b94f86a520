using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Webhooks;

/// <summary>App webhooks against a real nuvemd and a receiver on loopback: a deploy's <c>api:release</c> event arrives
/// signed with the secret; a failing receiver is retried and its delivery ends failed with the last code.</summary>
[Collection(ServerCollection.Name)]
public sealed class WebhooksApiTests(ServerFixture fixture)
{
    private NuvemServer Server => fixture.Server;
    private const string WebhooksAccept = "application/vnd.heroku+json; version=3.webhooks";

    private static Action<HttpRequestMessage> Webhooks => r =>
    {
        r.Headers.Accept.Clear();
        r.Headers.TryAddWithoutValidation("Accept", WebhooksAccept);
    };

    [Fact]
    public async Task A_deploy_reaches_the_webhook_signed_with_its_secret()
    {
        using var api = Server.Api();
        using var receiver = new LoopbackReceiver();
        var app = await fixture.NewAppAsync(api);
        var added = await api.Send(HttpMethod.Post, $"/apps/{app}/webhooks",
            new { include = new[] { "api:release" }, level = "notify", url = receiver.Url + "hook", secret = "s3cret", authorization = "Bearer tok" }, Webhooks);
        Assert.Equal(HttpStatusCode.Created, added.Status);
        Assert.Equal("notify", added.Json["level"]!.GetValue<string>());
        Assert.Null(added.Json["secret"]);
        Assert.False(added.Headers.Contains("Heroku-Webhook-Secret")); // given, so not echoed
        var hookId = added.Json["id"]!.GetValue<string>();
        Assert.Equal(hookId, Assert.Single((await api.Get($"/apps/{app}/webhooks", Webhooks)).Array)!["id"]!.GetValue<string>());

        var slug = await SlugBlobs.CreateAsync(Server, api, app, new { web = "./server" }, commit: "0123456789abcdef");
        var release = await api.Post($"/apps/{app}/releases", new { slug });
        Assert.Equal(HttpStatusCode.Created, release.Status);

        var request = (await receiver.WaitForAsync(1, TimeSpan.FromSeconds(20)))[0];
        Assert.Equal("POST", request.Method);
        Assert.Equal("/hook", request.Path);
        Assert.StartsWith("application/json", request.ContentType);
        Assert.Equal("Bearer tok", request.Headers["Authorization"]);
        var expected = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes("s3cret"), request.Body));
        Assert.Equal(expected, request.Headers["Heroku-Webhook-Hmac-SHA256"]);
        var body = JsonNode.Parse(request.Body)!;
        Assert.Equal("release", body["resource"]!.GetValue<string>());
        Assert.Equal("create", body["action"]!.GetValue<string>());
        Assert.Equal(release.Json["id"]!.GetValue<string>(), body["data"]!["id"]!.GetValue<string>());
        Assert.Equal("Deploy 0123456", body["data"]!["description"]!.GetValue<string>());
        Assert.Equal(app, body["data"]!["app"]!["name"]!.GetValue<string>());
        Assert.Equal("application/vnd.heroku+json; version=3", body["version"]!.GetValue<string>());

        var deliveryId = request.Headers["Heroku-Webhook-Id"]!;
        var delivery = await WaitForStatusAsync(api, app, deliveryId, "succeeded");
        Assert.Equal(200, delivery["last_attempt"]!["code"]!.GetValue<int>());
        Assert.Equal(hookId, delivery["webhook"]!["id"]!.GetValue<string>());
        var eventId = delivery["event"]!["id"]!.GetValue<string>();
        var e = (await api.Get($"/apps/{app}/webhook-events/{eventId}", Webhooks)).Json;
        Assert.Equal("api:release", e["include"]!.GetValue<string>());
        Assert.Equal("release", e["payload"]!["resource"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.OK, (await api.Delete($"/apps/{app}/webhooks/{hookId}")).Status);
        Assert.Equal("[]", (await api.Get($"/apps/{app}/webhooks", Webhooks)).Text);
    }

    [Fact]
    public async Task A_failing_receiver_is_retried_and_the_delivery_ends_failed()
    {
        using var api = Server.Api();
        using var receiver = new LoopbackReceiver { StatusCode = 500 };
        var app = await fixture.NewAppAsync(api);
        var added = await api.Send(HttpMethod.Post, $"/apps/{app}/webhooks",
            new { include = new[] { "api:release" }, level = "sync", url = receiver.Url }, Webhooks);
        Assert.Equal(HttpStatusCode.Created, added.Status);

        await api.Patch($"/apps/{app}/config-vars", new { COLOR = "blue" }); // a release: v2
        var requests = await receiver.WaitForAsync(3, TimeSpan.FromSeconds(30));
        Assert.Single(requests.Select(r => r.Headers["Heroku-Webhook-Id"]).Distinct());
        // No secret given: the platform made one, returned once, and signs with it.
        var secret = added.Headers.GetValues("Heroku-Webhook-Secret").Single();
        Assert.Equal(Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), requests[0].Body)),
            requests[0].Headers["Heroku-Webhook-Hmac-SHA256"]);

        var delivery = await WaitForStatusAsync(api, app, requests[0].Headers["Heroku-Webhook-Id"]!, "failed");
        Assert.Equal(3, delivery["num_attempts"]!.GetValue<int>());
        Assert.Equal(500, delivery["last_attempt"]!["code"]!.GetValue<int>());
        Assert.Single((await api.Get($"/apps/{app}/webhook-deliveries", Webhooks)).Array);
    }

    [Fact]
    public async Task A_receiver_that_never_answers_does_not_delay_another_apps_webhook()
    {
        using var api = Server.Api();
        // Accepts connections and never answers: every attempt of the slow app waits for its 10 s timeout.
        var blackHole = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        blackHole.Start(100);
        using var stop = new CancellationTokenSource();
        var held = new List<System.Net.Sockets.TcpClient>();
        _ = Task.Run(async () => { while (!stop.IsCancellationRequested) held.Add(await blackHole.AcceptTcpClientAsync(stop.Token)); });
        try
        {
            var slow = await fixture.NewAppAsync(api);
            await api.Send(HttpMethod.Post, $"/apps/{slow}/webhooks",
                new { include = new[] { "api:release" }, level = "notify", url = $"http://127.0.0.1:{((IPEndPoint)blackHole.LocalEndpoint).Port}/" }, Webhooks);
            for (var i = 0; i < 8; i++) await api.Patch($"/apps/{slow}/config-vars", new { N = i.ToString() }); // 8 deliveries hang

            using var receiver = new LoopbackReceiver();
            var quick = await fixture.NewAppAsync(api);
            await api.Send(HttpMethod.Post, $"/apps/{quick}/webhooks", new { include = new[] { "api:release" }, level = "notify", url = receiver.Url }, Webhooks);
            var started = DateTime.UtcNow;
            await api.Patch($"/apps/{quick}/config-vars", new { COLOR = "blue" });
            await receiver.WaitForAsync(1, TimeSpan.FromSeconds(5));
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
            Assert.All((await api.Get($"/apps/{slow}/webhook-deliveries", Webhooks)).Array, d => Assert.NotEqual("succeeded", d!["status"]!.GetValue<string>()));
        }
        finally
        {
            stop.Cancel();
            blackHole.Stop();
            foreach (var client in held.ToList()) client.Dispose();
        }
    }

    [Fact]
    public async Task Only_http_urls_known_entities_and_levels_are_accepted()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api);
        foreach (var body in new object[]
                 {
                     new { include = new[] { "api:release" }, level = "notify", url = "file:///etc/passwd" },
                     new { include = new[] { "api:nope" }, level = "notify", url = "https://example.com/" },
                     new { include = new[] { "api:release" }, level = "loud", url = "https://example.com/" },
                 })
            Assert.Equal(HttpStatusCode.UnprocessableEntity, (await api.Send(HttpMethod.Post, $"/apps/{app}/webhooks", body, Webhooks)).Status);
    }

    private static async Task<JsonNode> WaitForStatusAsync(ApiClient api, string app, string deliveryId, string status)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        JsonNode delivery;
        do
        {
            delivery = (await api.Get($"/apps/{app}/webhook-deliveries/{deliveryId}", Webhooks)).Json;
            if (delivery["status"]!.GetValue<string>() == status) return delivery;
            await Task.Delay(200);
        } while (DateTime.UtcNow < deadline);
        Assert.Fail($"Delivery {deliveryId} is {delivery["status"]}, not {status}.");
        return delivery;
    }
}
