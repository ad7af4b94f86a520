using System.Text;
using System.Text.Json.Nodes;
using Nuvem.Platform;
using Nuvem.Platform.AddOns.DeployHooks;
using Nuvem.Platform.Releases;
using Nuvem.Platform.Webhooks;

namespace Nuvem.UnitTests.Webhooks;

/// <summary>The webhook body, its signature, the retry schedule, the URL rules and the deploy hook's form.</summary>
public sealed class WebhookRulesTests
{
    [Fact]
    public void The_signature_is_base64_hmac_sha256_of_the_body_keyed_with_the_secret() =>
        // The well-known HMAC-SHA256 vector (key "key"), in base64 as Heroku-Webhook-Hmac-SHA256 carries it.
        Assert.Equal("97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg=",
            WebhookPayload.Signature(Encoding.UTF8.GetBytes("The quick brown fox jumps over the lazy dog"), "key"));

    [Fact]
    public void The_body_has_herokus_fields_and_the_release_as_data()
    {
        var at = new DateTimeOffset(2026, 12, 2, 18, 0, 0, TimeSpan.Zero);
        var release = new Release
        {
            Id = "r-1", AppId = "a-1", AppName = "demo", Version = 7, Description = "Deploy 0123456", Status = ReleaseStatus.Succeeded,
            UserId = "u-1", UserEmail = "me@example.com", SlugId = "s-1", Current = true, CreatedAt = at, UpdatedAt = at,
        };
        var body = WebhookPayload.Body("e-1", "release", "create", WebhookPayload.Release(release), "u-1", "me@example.com", at);
        Assert.Equal(["id", "created_at", "updated_at", "published_at", "data", "previous_data", "actor", "action", "resource", "version", "sequence"],
            body.Select(p => p.Key));
        Assert.Equal("e-1", (string?)body["id"]);
        Assert.Equal("2026-12-02T18:00:00.000Z", (string?)body["published_at"]);
        Assert.Equal("me@example.com", (string?)body["actor"]!["email"]);
        Assert.Equal("application/vnd.heroku+json; version=3", (string?)body["version"]);
        var data = body["data"]!;
        Assert.Equal(7, (long)data["version"]!);
        Assert.Equal("demo", (string?)data["app"]!["name"]);
        Assert.Equal("s-1", (string?)data["slug"]!["id"]);
        Assert.Equal("succeeded", (string?)data["status"]);
        Assert.Empty(body["previous_data"]!.AsObject());
        Assert.NotNull(JsonNode.Parse(body.ToJsonString()));
    }

    [Fact]
    public void Notify_is_tried_once_and_sync_backs_off_four_times_longer_each_time()
    {
        var schedule = new RetrySchedule(TimeSpan.FromSeconds(1), MaxAttempts: 4);
        Assert.Null(schedule.NextDelay("notify", 1));
        Assert.Equal(TimeSpan.FromSeconds(1), schedule.NextDelay("sync", 1));
        Assert.Equal(TimeSpan.FromSeconds(4), schedule.NextDelay("sync", 2));
        Assert.Equal(TimeSpan.FromSeconds(16), schedule.NextDelay("sync", 3));
        Assert.Null(schedule.NextDelay("sync", 4));
        Assert.Equal(3, RetrySchedule.Default.MaxAttempts);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/hook")]
    [InlineData("https://hooks.example.com/x?y=1")]
    public void Http_and_https_urls_are_accepted(string url) => Assert.Equal(new Uri(url).AbsoluteUri, WebhookService.ValidUrl(url));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("file:///etc/passwd")]
    [InlineData("ftp://example.com/")]
    [InlineData("not a url")]
    [InlineData("https://user:pw@example.com/")]
    public void Other_urls_are_refused(string? url) => Assert.Throws<PlatformException>(() => WebhookService.ValidUrl(url));

    [Fact]
    public void The_deploy_hook_form_has_herokus_fields_in_order()
    {
        var form = DeployHookSender.Form("demo", "a-1", "me@example.com", "https://demo.apps.test/", "4f20bdd0123456789abcdef0123456789abcdef0",
            null, "add bar", "me@example.com", 7);
        Assert.Equal(["app", "user", "url", "head", "head_long", "prev_head", "git_log", "release", "app_uuid"], form.Select(f => f.Key));
        var fields = form.ToDictionary();
        Assert.Equal("4f20bdd", fields["head"]);
        Assert.Equal("", fields["prev_head"]);
        Assert.Equal("  * me@example.com: add bar", fields["git_log"]);
        Assert.Equal("v7", fields["release"]);
        var encoded = new FormUrlEncodedContent(form).ReadAsStringAsync().Result;
        Assert.StartsWith("app=demo&user=me%40example.com&url=https%3A%2F%2Fdemo.apps.test%2F&head=4f20bdd&", encoded);
    }

    [Fact]
    public void Deploy_hook_urls_must_be_http_and_are_shown_without_secrets()
    {
        Assert.Throws<PlatformException>(() => DeployHooksProvider.ValidUrl(null));
        Assert.Throws<PlatformException>(() => DeployHooksProvider.ValidUrl("gopher://x/"));
        Assert.Equal("https://h.example:8443/p", DeployHooksProvider.Redacted(DeployHooksProvider.ValidUrl("https://u:pw@h.example:8443/p?token=t")));
    }
}
