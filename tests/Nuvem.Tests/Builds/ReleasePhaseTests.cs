using System.Net;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Builds;

/// <summary>The Procfile's release command gates a release: exit 0 makes it current, anything else fails it.</summary>
[Collection(ServerCollection.Name)]
public sealed class ReleasePhaseTests(ServerFixture fixture)
{
    private NuvemServer Server => fixture.Server;

    [Fact]
    public async Task A_release_command_runs_with_the_slug_and_config_before_the_release_becomes_current()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api, "relphase");
        await api.Patch($"/apps/{app}/config-vars", new { DATABASE_URL = "postgres://db/app" }); // v2
        using var source = new GitWorkspace(Server)
            .Write("Procfile", "web: ./run.sh\nrelease: ./migrate.sh\n")
            .Write("run.sh", "#!/bin/sh\necho up\n", executable: true)
            .Write("migrate.sh", "#!/bin/sh\necho \"migrating $DATABASE_URL from $(pwd | sed 's|.*/||') as $DYNO\"\n[ -f fail ] && { echo 'migration failed' >&2; exit 1; }\n[ -n \"$FAIL_MIGRATION\" ] && { echo 'refusing by config' >&2; exit 2; }\necho done\n", executable: true);
        source.Commit();

        var push = (await source.PushAsync(app)).Succeeded();
        Assert.Contains("-----> Running release command for v3: ./migrate.sh", push.Output);
        Assert.Contains("migrating postgres://db/app from app as release.3", push.Output);
        Assert.Contains("Released v3", push.Output);
        var v3 = (await api.Get($"/apps/{app}/releases/3")).Json;
        Assert.Equal("succeeded", v3["status"]!.GetValue<string>());
        Assert.True(v3["current"]!.GetValue<bool>());
        var stored = await Read(v3["output_stream_url"]!.GetValue<string>());
        Assert.Contains("migrating postgres://db/app", stored);
        Assert.Contains("Release command exited 0.", stored);

        source.Write("fail", "please");
        source.Commit("a failing migration");
        var failed = (await source.PushAsync(app)).Rejected();
        Assert.Contains("migration failed", failed.Output);
        Assert.Contains("Release command failed with exit code 1: v4 is marked failed", failed.Output);

        var releases = (await api.Get($"/apps/{app}/releases")).Array;
        var v4 = releases[3]!;
        Assert.Equal("failed", v4["status"]!.GetValue<string>());
        Assert.False(v4["current"]!.GetValue<bool>());
        Assert.False(v4["eligible_for_rollback"]!.GetValue<bool>());
        Assert.True(releases[2]!["current"]!.GetValue<bool>());
        Assert.Contains("migration failed", await Read(v4["output_stream_url"]!.GetValue<string>()));
        // A config change after the failure builds on the current (v3) code, not the failed slug, and runs the
        // release phase too (as on Heroku): pending first, then succeeded.
        await api.Patch($"/apps/{app}/config-vars", new { X = "1" });
        Assert.Equal(v3["slug"]!["id"]!.GetValue<string>(), (await api.Get($"/apps/{app}/releases/5")).Json["slug"]!["id"]!.GetValue<string>());
        var v5 = await Settled(api, app, 5);
        Assert.Equal("succeeded", v5["status"]!.GetValue<string>());
        Assert.True(v5["current"]!.GetValue<bool>());

        // A config change whose release phase fails: the release is failed, the previous one stays current.
        await api.Patch($"/apps/{app}/config-vars", new { FAIL_MIGRATION = "yes" });
        var v6 = await Settled(api, app, 6);
        Assert.Equal("failed", v6["status"]!.GetValue<string>());
        Assert.Contains("refusing by config", await Read(v6["output_stream_url"]!.GetValue<string>()));
        Assert.True((await api.Get($"/apps/{app}/releases/5")).Json["current"]!.GetValue<bool>());

        // Rolling back to v5 runs the phase with v5's config, which passes.
        var rollback = await api.Post($"/apps/{app}/releases", new { release = v5["id"]!.GetValue<string>() });
        Assert.Equal("pending", rollback.Json["status"]!.GetValue<string>());
        Assert.Equal("succeeded", (await Settled(api, app, 7))["status"]!.GetValue<string>());
    }

    private static async Task<System.Text.Json.Nodes.JsonNode> Settled(ApiClient api, string app, int version)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var release = (await api.Get($"/apps/{app}/releases/{version}")).Json;
            if (release["status"]!.GetValue<string>() != "pending") return release;
            Assert.True(DateTime.UtcNow < deadline, $"v{version} is still pending");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task Rollback_restores_the_earlier_slug_and_config()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api, "rollback");
        using var source = new GitWorkspace(Server).Write("Procfile", "web: ./one.sh\n").Write("one.sh", "#!/bin/sh\n", executable: true);
        source.Commit();
        (await source.PushAsync(app)).Succeeded(); // v2
        await api.Patch($"/apps/{app}/config-vars", new { COLOR = "blue" }); // v3
        source.Write("Procfile", "web: ./two.sh\n").Write("two.sh", "#!/bin/sh\n", executable: true);
        source.Commit();
        (await source.PushAsync(app)).Succeeded(); // v4
        await api.Patch($"/apps/{app}/config-vars", new { COLOR = "green" }); // v5

        var v3 = (await api.Get($"/apps/{app}/releases/3")).Json;
        var rollback = await api.Post($"/apps/{app}/releases", new { release = v3["id"]!.GetValue<string>() });
        Assert.Equal(HttpStatusCode.Created, rollback.Status);
        Assert.Equal("Rollback to v3", rollback.Json["description"]!.GetValue<string>());
        Assert.Equal(v3["slug"]!["id"]!.GetValue<string>(), rollback.Json["slug"]!["id"]!.GetValue<string>());
        Assert.Equal("blue", (await api.Get($"/apps/{app}/config-vars")).Json["COLOR"]!.GetValue<string>());
        Assert.Equal("./one.sh", (await api.Get($"/apps/{app}/formation/web")).Json["command"]!.GetValue<string>());
    }

    private async Task<string> Read(string url)
    {
        using var plain = Server.CreateClient();
        return await plain.GetStringAsync(url);
    }
}
