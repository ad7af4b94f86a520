using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Nuvem.Tests.HerokuCli;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Webhooks;

/// <summary>
/// Issue 13 with the unmodified heroku CLI: <c>webhooks:add -i api:release -l notify -u URL -s SECRET</c> and
/// <c>addons:create deployhooks:http --url=URL</c>, then a deploy: both reach a receiver on loopback, the webhook's
/// HMAC verifies with the secret, and <c>webhooks:deliveries</c> shows the delivery succeeded.
/// </summary>
public sealed class HerokuCliWebhooksTests(HerokuCliFixture fixture) : IClassFixture<HerokuCliFixture>
{
    private NuvemServer Server => fixture.Server;
    private HerokuCliSession Cli => fixture.Cli;

    [Fact]
    public async Task Webhook_and_deploy_hook_added_with_the_cli_reach_a_loopback_receiver()
    {
        using var hooks = new LoopbackReceiver();
        using var deploys = new LoopbackReceiver();
        var app = $"wh-{Guid.NewGuid().ToString("N")[..8]}";
        (await Cli.RunAsync("apps:create", app)).Succeeded();

        var added = (await Cli.RunAsync("webhooks:add", "-i", "api:release", "-l", "notify", "-u", hooks.Url + "heroku", "-s", "cli-secret", "-a", app)).Succeeded();
        Assert.Contains("Adding webhook", added.Output);
        var listed = (await Cli.RunAsync("webhooks", "-a", app)).Succeeded();
        Assert.Contains(hooks.Url + "heroku", listed.Output);
        Assert.Contains("api:release", listed.Output);
        var hookAddOn = (await Cli.RunAsync("addons:create", "deployhooks:http", "-a", app, "--", "--url=" + deploys.Url + "deploy")).Succeeded();
        Assert.Contains("deployhooks", hookAddOn.Output);

        using var api = Server.Api();
        var slug = await SlugBlobs.CreateAsync(Server, api, app, new { web = "./server" }, commit: "c0ffee0123456789c0ffee0123456789c0ffee01");
        var release = await api.Post($"/apps/{app}/releases", new { slug });
        Assert.Equal(HttpStatusCode.Created, release.Status);

        var webhook = (await hooks.WaitForAsync(1, TimeSpan.FromSeconds(20))).Last();
        Assert.Equal(Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes("cli-secret"), webhook.Body)),
            webhook.Headers["Heroku-Webhook-Hmac-SHA256"]);
        Assert.Equal(release.Json["id"]!.GetValue<string>(), JsonNode.Parse(webhook.Body)!["data"]!["id"]!.GetValue<string>());

        var deploy = (await deploys.WaitForAsync(1, TimeSpan.FromSeconds(20))).Single();
        var form = Encoding.UTF8.GetString(deploy.Body);
        Assert.Contains($"app={app}&", form);
        Assert.Contains("head=c0ffee0&head_long=c0ffee0123456789c0ffee0123456789c0ffee01&", form);

        string deliveries = "";
        for (var i = 0; i < 50 && !deliveries.Contains("succeeded"); i++)
        {
            deliveries = (await Cli.RunAsync("webhooks:deliveries", "-a", app)).Succeeded().Output;
            if (!deliveries.Contains("succeeded")) await Task.Delay(200);
        }
        Assert.Contains("succeeded", deliveries);
        Assert.Contains("200", deliveries);
    }
}
