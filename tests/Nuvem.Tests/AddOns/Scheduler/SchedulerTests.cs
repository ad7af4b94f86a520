using System.Text.RegularExpressions;
using Nuvem.Tests.Dynos;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.AddOns.Scheduler;

/// <summary>
/// Heroku Scheduler end to end: a real nuvemd, the real CLI, real dynos. A <c>* * * * *</c> job runs as
/// <c>scheduler.N</c> with the app's config, once per tick: also for a tick that falls during a deploy, across a
/// kill -9 of nuvemd, and for a tick missed while it was down (once, at start).
/// </summary>
public sealed class SchedulerTests
{
    [Fact]
    public async Task A_minutely_job_runs_as_scheduler_N_once_per_tick_across_a_deploy_and_a_restart()
    {
        await using var server = await NuvemServer.StartNewAsync();
        using var api = server.Api();
        using var cli = new NuvemCli(server);
        (await cli.LoginAsync()).Succeeded();
        var app = $"sch-{Guid.NewGuid().ToString("N")[..8]}";
        (await cli.RunAsync("apps:create", app)).Succeeded();
        await Deploy(server, api, app, "v1");
        await api.Patch($"/apps/{app}/config-vars", new { MARKER = "from-config" });

        // No scheduler add-on yet: no jobs.
        Assert.Contains("addons:create scheduler", (await cli.RunAsync("scheduler:add", "* * * * *", "-a", app, "--", "true")).Failed().Stderr);
        Assert.Matches(@"Created scheduler-[a-z]+-\d{5}\n", (await cli.RunAsync("addons:create", "scheduler:standard", "-a", app)).Succeeded().Stdout);
        var bad = await api.Post($"/apps/{app}/scheduled-jobs", new { command = "true", schedule = "every 7 minutes" });
        Assert.Equal(422, (int)bad.Status);
        Assert.Contains("Invalid schedule 'every 7 minutes'", bad.Text);

        var added = (await cli.RunAsync("scheduler:add", "* * * * *", "-a", app, "--", "echo", "TICK-$MARKER-$(cat /app/version)-$DYNO")).Succeeded().Stdout;
        var id = Regex.Match(added, @"Scheduled job ([0-9a-f-]{36})").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(id), added);
        Assert.Contains("* * * * *", (await cli.RunAsync("scheduler:jobs", "-a", app)).Succeeded().Stdout);

        // First tick: within a minute and a bit.
        var ticks = await DynoApps.Eventually(() => Ticks(server, api, app), t => t.Count >= 1, TimeSpan.FromSeconds(75), "the first tick");
        Assert.Matches(@"^TICK-from-config-v1-scheduler\.\d{4}$", ticks[0]);

        // The second tick falls during a deploy: start one shortly before it is due.
        var next = DateTimeOffset.Parse((await api.Get($"/apps/{app}/scheduled-jobs/{id}")).Json["next_run_at"]!.GetValue<string>());
        var v2 = await SlugBlobs.CreateAsync(server, api, app, new { worker = "sleep 3600" }, Slug("v2"));
        var wait = next - DateTimeOffset.UtcNow - TimeSpan.FromSeconds(1);
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
        var deployed = await api.Post($"/apps/{app}/releases", new { slug = v2 });
        Assert.True((int)deployed.Status < 300, deployed.Text);
        ticks = await DynoApps.Eventually(() => Ticks(server, api, app), t => t.Count >= 2, TimeSpan.FromSeconds(45), "the second tick");

        // nuvemd is killed right after the second tick and stays down over the third: after the restart no tick runs
        // twice, and the missed third runs once, at start, of the release current then.
        server.Kill();
        var down = next.AddMinutes(1) - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(3);
        if (down > TimeSpan.Zero) await Task.Delay(down);
        await server.StartAsync();
        using var after = server.Api();
        ticks = await DynoApps.Eventually(() => Ticks(server, after, app), t => t.Count >= 3, TimeSpan.FromSeconds(30), "the missed tick");

        // Let any duplicate show up, then: one run per tick, each its own scheduler.N, each logged as Heroku does.
        await Task.Delay(TimeSpan.FromSeconds(6));
        ticks = await Ticks(server, after, app);
        var logs = await DynoApps.Logs(server, after, app);
        Assert.True(ticks.Count == 3, $"expected 3 runs in 3 ticks:\n{logs}");
        Assert.Equal(3, ticks.Select(t => t[^14..]).Distinct().Count());
        Assert.StartsWith("TICK-from-config-v2-", ticks[2]);
        Assert.True(Regex.Matches(logs, @"heroku\[scheduler\.\d{4}\]: Starting process with command `echo ""?TICK-\$MARKER").Count == 3, logs);
        var job = (await after.Get($"/apps/{app}/scheduled-jobs/{id}")).Json;
        Assert.Equal(next.AddMinutes(1), DateTimeOffset.Parse(job["last_run_at"]!.GetValue<string>()));

        using var cli2 = new NuvemCli(server);
        (await cli2.LoginAsync()).Succeeded();
        Assert.Contains("Removing scheduled job", (await cli2.RunAsync("scheduler:remove", id, "-a", app)).Succeeded().Stdout);
        Assert.Contains("has no scheduled jobs", (await cli2.RunAsync("scheduler:jobs", "-a", app)).Succeeded().Stdout);
    }

    /// <summary>A slug whose <c>version</c> file says which deploy it is, released.</summary>
    private static async Task Deploy(NuvemServer server, ApiClient api, string app, string version)
    {
        var slug = await SlugBlobs.CreateAsync(server, api, app, new { worker = "sleep 3600" }, Slug(version));
        var release = await api.Post($"/apps/{app}/releases", new { slug });
        Assert.True((int)release.Status < 300, release.Text);
    }

    private static byte[] Slug(string version) => SlugBlobs.Tarball(new Dictionary<string, string> { ["version"] = version + "\n" });

    /// <summary>What the job printed, one entry per run (<c>TICK-from-config-v1-scheduler.1234</c>).</summary>
    private static async Task<List<string>> Ticks(NuvemServer server, ApiClient api, string app) =>
        Regex.Matches(await DynoApps.Logs(server, api, app), @"app\[scheduler\.\d{4}\]: (TICK-[^\s]+)").Select(m => m.Groups[1].Value).ToList();
}
