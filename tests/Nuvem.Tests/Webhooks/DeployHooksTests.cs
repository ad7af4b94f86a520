using System.Net;
using System.Text;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Webhooks;

/// <summary>The <c>deployhooks:http</c> add-on on a real nuvemd: a deploy POSTs Heroku's form to the add-on's URL on
/// loopback and says so in the app's log; a config change (not a deploy) posts nothing.</summary>
[Collection(ServerCollection.Name)]
public sealed class DeployHooksTests(ServerFixture fixture)
{
    private NuvemServer Server => fixture.Server;

    [Fact]
    public async Task A_deploy_posts_herokus_form_to_the_hook_url()
    {
        using var api = Server.Api();
        using var receiver = new LoopbackReceiver();
        var app = await fixture.NewAppAsync(api);
        var addOn = await api.Post($"/apps/{app}/addons", new { plan = "deployhooks:http", config = new { url = receiver.Url + "deploys?key=k" } });
        Assert.True(addOn.Status is HttpStatusCode.Created or HttpStatusCode.OK, addOn.Text);
        Assert.Equal("deployhooks:http", addOn.Json["plan"]!["name"]!.GetValue<string>());
        Assert.Equal("provisioned", addOn.Json["state"]!.GetValue<string>());
        // The provider refuses a URL that is not http(s): the add-on ends deprovisioned, as any refused provision.
        var refused = await api.Post($"/apps/{app}/addons", new { plan = "deployhooks:http", config = new { url = "ftp://example.com/" } });
        Assert.Equal("deprovisioned", refused.Json["state"]!.GetValue<string>());

        await api.Patch($"/apps/{app}/config-vars", new { X = "1" }); // not a deploy
        var first = await SlugBlobs.CreateAsync(Server, api, app, new { web = "./server" }, commit: "aaaaaaa111111111111111111111111111111111");
        Assert.Equal(HttpStatusCode.Created, (await api.Post($"/apps/{app}/releases", new { slug = first })).Status);
        var second = await SlugBlobs.CreateAsync(Server, api, app, new { web = "./server" }, commit: "bbbbbbb222222222222222222222222222222222");
        var release = await api.Post($"/apps/{app}/releases", new { slug = second });

        var requests = await receiver.WaitForAsync(2, TimeSpan.FromSeconds(20));
        await Task.Delay(500);
        Assert.Equal(2, receiver.All.Count);
        var last = requests.Single(r => Encoding.UTF8.GetString(r.Body).Contains("head=bbbbbbb&"));
        Assert.Equal("POST", last.Method);
        Assert.Equal("/deploys", last.Path);
        Assert.StartsWith("application/x-www-form-urlencoded", last.ContentType);
        var form = Encoding.UTF8.GetString(last.Body).Split('&').Select(p => p.Split('=', 2))
            .ToDictionary(p => p[0], p => WebUtility.UrlDecode(p[1]));
        Assert.Equal(app, form["app"]);
        Assert.Equal("bbbbbbb222222222222222222222222222222222", form["head_long"]);
        Assert.Equal("aaaaaaa111111111111111111111111111111111", form["prev_head"]);
        Assert.Equal($"v{release.Json["version"]!.GetValue<int>()}", form["release"]);
        Assert.Contains(app, form["url"]);
        Assert.Contains("@", form["user"]);
        Assert.StartsWith("  * ", form["git_log"]);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        string log;
        do
        {
            var session = await api.Post($"/apps/{app}/log-sessions", new { lines = 200 });
            using var http = Server.CreateClient();
            log = await http.GetStringAsync(session.Json["logplex_url"]!.GetValue<string>());
            if (log.Contains("heroku[deployhooks]: Notified")) break;
            await Task.Delay(300);
        } while (DateTime.UtcNow < deadline);
        Assert.Contains("heroku[deployhooks]: Notified", log);
        Assert.DoesNotContain("key=k", log);
    }
}
