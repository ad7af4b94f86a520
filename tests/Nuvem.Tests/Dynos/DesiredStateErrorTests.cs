using System.Net;
using System.Text.RegularExpressions;
using Nuvem.Tests.Infrastructure;
using Nuvem.Tests.Router;

namespace Nuvem.Tests.Dynos;

/// <summary>
/// One app's broken desired state (its slug's tarball gone, its config vars unreadable: a damaged database row) is that
/// app's problem: the dyno manager says so in its log once, leaves its dynos as they are, and keeps serving every
/// other app — creating, scaling and routing them.
/// </summary>
public sealed class DesiredStateErrorTests
{
    private static async Task<string> DeployWebAsync(NuvemServer server, ApiClient api, string app, string greeting)
    {
        var slug = await SlugBlobs.CreateAsync(server, api, app, new { web = "python3 server.py" }, SlugBlobs.Tarball(SlugBlobs.WebApp(greeting)));
        var release = await api.Post($"/apps/{app}/releases", new { slug });
        Assert.True(release.Status == HttpStatusCode.Created, release.Text);
        return slug;
    }

    private static Task<(HttpStatusCode Status, string Body)> Serving(NuvemServer server, string app, string body) =>
        DynoApps.Eventually(() => RouterClient.GetAsync(server.RouterPort, app), r => r.Status == HttpStatusCode.OK && r.Body == body,
            TimeSpan.FromSeconds(60), $"{app} to answer '{body}'");

    private static int PlatformErrors(string logs) => Regex.Matches(logs, Regex.Escape("heroku[manager]: Error R99 (Platform error) -> ")).Count;

    [Fact]
    public async Task A_broken_app_is_reported_once_and_every_other_app_still_deploys_scales_and_serves()
    {
        await using var server = await NuvemServer.StartNewAsync();
        using var api = server.Api();

        // "lost": running, then its slug's row is damaged (checksum 'x'). "garbled": its release's config vars are not JSON.
        Assert.Equal(HttpStatusCode.Created, (await api.Post("/apps", new { name = "lost" })).Status);
        var lostSlug = await DeployWebAsync(server, api, "lost", "lost");
        await Serving(server, "lost", "web.1 lost");
        Assert.Equal(HttpStatusCode.Created, (await api.Post("/apps", new { name = "garbled" })).Status);
        var garbledSlug = await SlugBlobs.CreateAsync(server, api, "garbled", new { worker = "sleep 600" });
        Assert.Equal(HttpStatusCode.Created, (await api.Post("/apps/garbled/releases", new { slug = garbledSlug })).Status);

        ServerDatabase.Execute(server, "UPDATE slugs SET checksum = 'x' WHERE id = @id", new { id = lostSlug });
        ServerDatabase.Execute(server, "UPDATE releases SET config_vars = '{not json' WHERE app_id = (SELECT id FROM apps WHERE name = 'garbled')");

        // Creating an app waits for a pass of the dyno manager: it must not fail for the others' sake.
        var created = await api.Post("/apps", new { name = "healthy" });
        Assert.True(created.Status == HttpStatusCode.Created, created.Text);
        await DeployWebAsync(server, api, "healthy", "healthy");
        await Serving(server, "healthy", "web.1 healthy");
        var scaled = await api.Patch("/apps/healthy/formation", new { updates = new object[] { new { type = "web", quantity = 2 } } });
        Assert.Equal(HttpStatusCode.OK, scaled.Status);
        await DynoApps.Eventually(() => api.Get("/apps/healthy/dynos"),
            r => r.Array.Count(d => d!["state"]!.GetValue<string>() == "up") == 2, TimeSpan.FromSeconds(60), "healthy's two web dynos up");
        var answers = new HashSet<string>();
        for (var i = 0; i < 20 && answers.Count < 2; i++) answers.Add((await RouterClient.GetAsync(server.RouterPort, "healthy")).Body);
        Assert.Equal(["web.1 healthy", "web.2 healthy"], answers.Order());

        // The broken app keeps the dyno it had; it is not stopped for a platform error.
        Assert.Equal((HttpStatusCode.OK, "web.1 lost"), await RouterClient.GetAsync(server.RouterPort, "lost"));

        // Each says why in its log, once, however many passes went by (a pass is every 300 ms).
        var lostLogs = await DynoApps.Eventually(() => DynoApps.Logs(server, api, "lost"), l => PlatformErrors(l) > 0, what: "lost's R99");
        var garbledLogs = await DynoApps.Eventually(() => DynoApps.Logs(server, api, "garbled"), l => PlatformErrors(l) > 0, what: "garbled's R99");
        await Task.Delay(TimeSpan.FromSeconds(2));
        lostLogs = await DynoApps.Logs(server, api, "lost");
        garbledLogs = await DynoApps.Logs(server, api, "garbled");
        Assert.Equal(1, PlatformErrors(lostLogs));
        Assert.Contains($"Release v2 cannot run: Slug {lostSlug} has checksum 'x'", lostLogs);
        Assert.Equal(1, PlatformErrors(garbledLogs));
        Assert.Contains("Release v2 cannot run: its config vars cannot be read", garbledLogs);
        Assert.Equal(0, PlatformErrors(await DynoApps.Logs(server, api, "healthy")));
    }
}
