using System.Net;
using System.Text.RegularExpressions;
using Nuvem.Tests.Dynos;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.HerokuCli;

/// <summary>
/// Issue 6: the official heroku CLI (npm <c>heroku@11.10.0</c>, unmodified) drives Nuvem. Every command the issue
/// lists is run and its output and its effect on the platform checked; each test ends by checking that the CLI tried
/// to reach no other host (<see cref="ProxyTrap"/>).
/// </summary>
public sealed class HerokuCliTests(HerokuCliFixture fixture) : IClassFixture<HerokuCliFixture>
{
    private NuvemServer Server => fixture.Server;
    private HerokuCliSession Cli => fixture.Cli;

    private static string NewName(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    [Fact]
    public async Task Login_stores_a_token_for_the_platform_and_whoami_answers_with_the_account()
    {
        var login = fixture.Login.Succeeded();
        Assert.Contains($"Logged in as {NuvemServer.AdminEmail}", login.Output);
        // HEROKU_NETRC_WRITE: the token is kept in ~/.netrc under the platform's host:port, and git's credential
        // helper is set up in the (scratch) global gitconfig.
        var netrc = await File.ReadAllTextAsync(Path.Combine(Cli.Home, ".netrc"));
        Assert.Contains($"machine localhost:{Server.ApiPort}", netrc);
        Assert.Contains($"login {NuvemServer.AdminEmail}", netrc);
        var token = Regex.Match(netrc, @"password (\S+)").Groups[1].Value;
        using (var api = Server.Api(token))
            Assert.Equal(NuvemServer.AdminEmail, (await api.Get("/account")).Json["email"]!.GetValue<string>());
        Assert.Contains($"[credential \"https://localhost:{Server.ApiPort}\"]", await File.ReadAllTextAsync(Path.Combine(Cli.Home, ".gitconfig")));

        var whoami = (await Cli.RunAsync("auth:whoami")).Succeeded();
        Assert.Equal(NuvemServer.AdminEmail, whoami.Stdout.Trim());
        Assert.Empty(Cli.Proxy.Attempts);
    }

    [Fact]
    public async Task Create_push_configure_release_scale_log_run_and_destroy_an_app()
    {
        using var api = Server.Api();
        var app = NewName("cli");
        using var source = HerokuCliApps.Web(Server);
        source.Commit("first");

        // apps:create inside the repository adds the `heroku` remote.
        var created = (await Cli.RunInAsync(source.Directory, "apps:create", app)).Succeeded();
        Assert.Contains($"Creating {app}... done", created.Output);
        Assert.Contains($"http://{app}.localhost:{Server.RouterPort}/ | https://localhost:{Server.ApiPort}/{app}.git", created.Output);
        Assert.Equal($"https://localhost:{Server.ApiPort}/{app}.git", source.Git("remote", "get-url", "heroku").Trim());
        Assert.Equal(HttpStatusCode.OK, (await api.Get($"/apps/{app}")).Status);

        var apps = (await Cli.RunAsync("apps")).Succeeded();
        Assert.Contains($"{NuvemServer.AdminEmail} Apps", apps.Output);
        Assert.Contains(app, apps.Output);

        // git push through the CLI's credential helper (no token in the URL, no prompt).
        var push = await Cli.GitAsync(source.Directory, "push", "heroku", "main");
        Assert.True(push.ExitCode == 0, $"git push heroku main failed:\n{push.Output}");
        Assert.Contains("Released v2", push.Output);

        var info = (await Cli.RunInAsync(source.Directory, "apps:info")).Succeeded();
        Assert.Contains($"=== {app}", info.Output);
        Assert.Matches($@"Git URL:\s+https://localhost:{Server.ApiPort}/{app}.git", info.Output);
        Assert.Matches($@"Owner:\s+{Regex.Escape(NuvemServer.AdminEmail)}", info.Output);
        Assert.Matches(@"Slug Size:\s+\d", info.Output);
        Assert.Matches(@"Repo Size:\s+\d", info.Output);

        // Config vars: each change is a release.
        var set = (await Cli.RunInAsync(source.Directory, "config:set", "GREETING=ola", "COLOR=blue")).Succeeded();
        Assert.Contains("done, v3", set.Output);
        Assert.Equal("ola", (await api.Get($"/apps/{app}/config-vars")).Json["GREETING"]!.GetValue<string>());
        var config = (await Cli.RunInAsync(source.Directory, "config")).Succeeded();
        Assert.Contains($"=== {app} Config Vars", config.Output);
        Assert.Matches(@"GREETING:\s+ola", config.Output);
        var unset = (await Cli.RunInAsync(source.Directory, "config:unset", "COLOR")).Succeeded();
        Assert.Contains("done, v4", unset.Output);
        Assert.Null((await api.Get($"/apps/{app}/config-vars")).Json["COLOR"]);

        var releases = (await Cli.RunInAsync(source.Directory, "releases")).Succeeded();
        Assert.Contains($"=== {app} Releases - Current: v4", releases.Output);
        Assert.Matches($@"v4\s+Remove COLOR config vars\s+{Regex.Escape(NuvemServer.AdminEmail)}", releases.Output);
        Assert.Matches(@"v2\s+Deploy [0-9a-f]{7}", releases.Output);
        var releaseInfo = (await Cli.RunInAsync(source.Directory, "releases:info", "v3")).Succeeded();
        Assert.Contains("=== Release v3", releaseInfo.Output);
        Assert.Contains("Set GREETING, COLOR config vars", releaseInfo.Output);
        Assert.Matches(@"GREETING:\s+ola", releaseInfo.Output);

        // rollback (no argument): to the release before the current one, as a new release.
        var rollback = (await Cli.RunInAsync(source.Directory, "rollback")).Succeeded();
        Assert.Contains($"Rolling back {app} to v3... done, v5", rollback.Output);
        Assert.Equal("blue", (await api.Get($"/apps/{app}/config-vars")).Json["COLOR"]!.GetValue<string>());

        // ps / ps:scale: the web dyno runs, then two.
        await Eventually(() => Cli.RunInAsync(source.Directory, "ps"), r => Regex.IsMatch(r.Output, @"web\.1: up"), "web.1 up in `heroku ps`");
        var ps = (await Cli.RunInAsync(source.Directory, "ps")).Succeeded();
        Assert.Contains("=== web (Basic): python3 server.py (1)", ps.Output);
        var scale = (await Cli.RunInAsync(source.Directory, "ps:scale", "web=2")).Succeeded();
        Assert.Contains("now running web at 2:Basic", scale.Output);
        await Eventually(() => Cli.RunInAsync(source.Directory, "ps"),
            r => Regex.IsMatch(r.Output, @"web\.1: up") && Regex.IsMatch(r.Output, @"web\.2: up"), "web.1 and web.2 up");
        Assert.Equal(2, (await api.Get($"/apps/{app}/formation/web")).Json["quantity"]!.GetValue<int>());

        // maintenance: the router answers 503 H80, then the app again.
        Assert.Equal(HttpStatusCode.OK, (await Router(app, "/")).Status);
        (await Cli.RunInAsync(source.Directory, "maintenance:on")).Succeeded();
        Assert.True((await api.Get($"/apps/{app}")).Json["maintenance"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await Router(app, "/during-maintenance")).Status);
        (await Cli.RunInAsync(source.Directory, "maintenance:off")).Succeeded();
        var after = await Router(app, "/");
        Assert.Equal(HttpStatusCode.OK, after.Status);
        Assert.Matches(@"^web\.\d ola", after.Body);

        // logs --tail: a line the app prints while it runs appears.
        var marker = "/tail-" + Guid.NewGuid().ToString("N")[..8];
        using (var tail = Cli.Begin("logs", "--tail", "-a", app))
        {
            await tail.WaitForAsync("heroku[", TimeSpan.FromSeconds(30)); // the recent lines: the stream is open
            Assert.Equal(HttpStatusCode.OK, (await Router(app, marker)).Status);
            await tail.WaitForAsync($"served {marker}", TimeSpan.FromSeconds(30));
            Assert.Matches($@"app\[web\.\d\]: served {marker}", tail.Output);
        }
        var logs = (await Cli.RunInAsync(source.Directory, "logs", "-n", "200")).Succeeded();
        Assert.Contains($"served {marker}", logs.Output);
        Assert.Matches(@"heroku\[router\]: at=info code=H80 desc=""Maintenance mode"" .*path=""/during-maintenance""", logs.Output);
        Assert.Contains("app[api]: Release v3 created by user", logs.Output);

        // ps:restart (all, one type, one dyno) and ps:stop.
        Assert.Contains("done", (await Cli.RunInAsync(source.Directory, "ps:restart")).Succeeded().Output);
        Assert.Contains("done", (await Cli.RunInAsync(source.Directory, "ps:restart", "--process-type", "web")).Succeeded().Output);
        Assert.Contains("done", (await Cli.RunInAsync(source.Directory, "ps:restart", "web.1")).Succeeded().Output);
        // The older positional form names a process type where a dyno name goes (DELETE /dynos/web), as on Heroku.
        Assert.Contains("Restarting dyno web on", (await Cli.RunInAsync(source.Directory, "ps:restart", "web")).Succeeded().Output);
        Assert.NotEqual(0, (await Cli.RunInAsync(source.Directory, "ps:restart", "--dyno-name", "web.9")).ExitCode);
        Assert.Contains("Stopping dyno web.2", (await Cli.RunInAsync(source.Directory, "ps:stop", "web.2")).Succeeded().Output);
        await Eventually(() => Cli.RunInAsync(source.Directory, "logs", "-n", "300", "-d", "web.2"),
            r => r.Output.Contains("heroku[web.2]: Stopping all processes with SIGTERM"), "web.2 stopped in the log");
        await Eventually(() => Cli.RunInAsync(source.Directory, "ps"),
            r => Regex.IsMatch(r.Output, @"web\.1: up") && Regex.IsMatch(r.Output, @"web\.2: up"), "both web dynos back up");

        // run: attached over the rendezvous protocol; -x passes the exit code on; detached goes to the log.
        var run = (await Cli.RunInAsync(source.Directory, "run", "echo hello from $DYNO with $GREETING")).Succeeded();
        Assert.Matches(@"hello from run\.\d+ with ola", run.Stdout);
        var exit = await Cli.RunInAsync(source.Directory, "run", "-x", "echo about to fail; (exit 3)");
        Assert.True(exit.ExitCode == 3, $"`heroku run -x` exited {exit.ExitCode}:\n{exit.Output}");
        Assert.Contains("about to fail", exit.Stdout);
        var ok = await Cli.RunInAsync(source.Directory, "run", "-x", "cat Procfile");
        Assert.True(ok.ExitCode == 0, $"`heroku run -x` exited {ok.ExitCode}:\n{ok.Output}");
        Assert.Contains("web: python3 server.py", ok.Stdout);
        var detached = (await Cli.RunInAsync(source.Directory, "run:detached", "echo detached-$GREETING")).Succeeded();
        var dyno = Regex.Match(detached.Output, @"--dyno (run\.\d+)").Groups[1].Value;
        Assert.NotEmpty(dyno);
        await Eventually(() => Cli.RunInAsync(source.Directory, "logs", "-n", "300", "--dyno-name", dyno),
            r => r.Output.Contains($"app[{dyno}]: detached-ola"), "the detached dyno's output in the log");

        // apps:destroy --confirm: gone from the platform, and the remote from the repository.
        var destroyed = (await Cli.RunInAsync(source.Directory, "apps:destroy", "--confirm", app)).Succeeded();
        Assert.Contains($"Destroying {app}", destroyed.Output);
        Assert.Equal(HttpStatusCode.NotFound, (await api.Get($"/apps/{app}")).Status);
        Assert.DoesNotContain("heroku", source.Git("remote"));

        Assert.Empty(Cli.Proxy.Attempts);
    }

    [Fact]
    public async Task Git_remote_domains_buildpacks_drains_and_addons()
    {
        using var api = Server.Api();
        var app = NewName("res");
        (await Cli.RunAsync("apps:create", app)).Succeeded();

        using (var repository = new GitWorkspace(Server))
        {
            (await Cli.RunInAsync(repository.Directory, "git:remote", "-a", app)).Succeeded();
            Assert.Equal($"https://localhost:{Server.ApiPort}/{app}.git", repository.Git("remote", "get-url", "heroku").Trim());
        }

        var domains = (await Cli.RunAsync("domains", "-a", app)).Succeeded();
        Assert.Contains($"=== {app} Heroku Domain", domains.Output);
        Assert.Contains($"{app}.localhost", domains.Output);
        var host = $"www.{NewName("shop")}.example.com";
        Assert.Contains($"Adding {host} to {app}... done", (await Cli.RunAsync("domains:add", host, "-a", app)).Succeeded().Output);
        var withCustom = (await Cli.RunAsync("domains", "-a", app)).Succeeded();
        Assert.Matches($@"{Regex.Escape(host)}\s+CNAME\s+{app}\.localhost", withCustom.Output);
        Assert.Equal(2, (await api.Get($"/apps/{app}/domains")).Array.Count);
        Assert.Contains($"Removing {host} from {app}... done", (await Cli.RunAsync("domains:remove", host, "-a", app)).Succeeded().Output);
        Assert.Single((await api.Get($"/apps/{app}/domains")).Array);

        // Buildpacks by URL (a shorthand like heroku/python is looked up in Heroku's buildpack registry by the CLI).
        Assert.Contains($"{app} has no Buildpacks.", (await Cli.RunAsync("buildpacks", "-a", app)).Succeeded().Output);
        const string buildpack = "https://github.com/heroku/heroku-buildpack-python";
        Assert.Contains($"Buildpack set. Next release on {app} will use {buildpack}.", (await Cli.RunAsync("buildpacks:set", buildpack, "-a", app)).Succeeded().Output);
        Assert.Contains(buildpack, (await Cli.RunAsync("buildpacks", "-a", app)).Succeeded().Output);
        Assert.Equal(buildpack, (await api.Get($"/apps/{app}/buildpack-installations")).Array.Single()!["buildpack"]!["url"]!.GetValue<string>());
        // A shorthand, looked up in the platform's own registry (HEROKU_BUILDPACK_REGISTRY_URL).
        Assert.Contains($"Buildpack set. Next release on {app} will use heroku/python.", (await Cli.RunAsync("buildpacks:set", "heroku/python", "-a", app)).Succeeded().Output);
        Assert.Equal("heroku/python", (await api.Get($"/apps/{app}/buildpack-installations")).Array.Single()!["buildpack"]!["url"]!.GetValue<string>());
        Assert.Contains("Buildpacks cleared.", (await Cli.RunAsync("buildpacks:clear", "-a", app)).Succeeded().Output);
        Assert.Empty((await api.Get($"/apps/{app}/buildpack-installations")).Array);

        // Drains: stored and listed (delivery is a later issue).
        const string drain = "syslog+tls://logs.example.com:6514";
        Assert.Contains($"Successfully added drain {drain}", (await Cli.RunAsync("drains:add", drain, "-a", app)).Succeeded().Output);
        var drains = (await Cli.RunAsync("drains", "-a", app)).Succeeded();
        Assert.Matches($@"{Regex.Escape(drain)} \(d\.[0-9a-f-]{{36}}\)", drains.Output);
        Assert.Single((await api.Get($"/apps/{app}/log-drains")).Array);
        var refused = await Cli.RunAsync("drains:add", "ftp://logs.example.com/", "-a", app);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("not supported", refused.Output);
        Assert.Contains($"Successfully removed drain {drain}", (await Cli.RunAsync("drains:remove", drain, "-a", app)).Succeeded().Output);
        Assert.Empty((await api.Get($"/apps/{app}/log-drains")).Array);

        Assert.Contains($"No add-ons for app {app}.", (await Cli.RunAsync("addons", "-a", app)).Succeeded().Output);

        (await Cli.RunAsync("apps:destroy", "--app", app, "--confirm", app)).Succeeded();
        Assert.Equal(HttpStatusCode.NotFound, (await api.Get($"/apps/{app}")).Status);

        Assert.Empty(Cli.Proxy.Attempts);
    }

    private async Task<(HttpStatusCode Status, string Body)> Router(string app, string path)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{Server.RouterPort}{path}");
        request.Headers.Host = $"{app}.localhost";
        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static Task<HerokuCliSession.Result> Eventually(Func<Task<HerokuCliSession.Result>> probe, Func<HerokuCliSession.Result, bool> done, string what) =>
        DynoApps.Eventually(probe, r => r.ExitCode == 0 && done(r), TimeSpan.FromSeconds(45), what);
}
