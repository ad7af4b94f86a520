using Nuvem.Tests.Dynos;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Cli;

/// <summary>ps, ps:restart, ps:stop, run, run:detached and open with the real CLI against running dynos.</summary>
[Collection(ServerCollection.Name)]
public sealed class DynoCliTests(ServerFixture fixture)
{
    private NuvemServer Server => fixture.Server;

    [Fact]
    public async Task Ps_run_and_restart_through_the_cli()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api, "clidyno");
        using (var source = DynoApps.Web(Server))
        {
            source.Commit();
            (await source.PushAsync(app)).Succeeded();
        }
        await DynoApps.Eventually(() => api.Get($"/apps/{app}/dynos"), r => r.Array.Any(d => d!["state"]!.GetValue<string>() == "up"), what: "web.1 up");

        using var cli = new NuvemCli(Server);
        (await cli.LoginAsync()).Succeeded();
        var ps = (await cli.RunAsync("ps", "-a", app)).Succeeded().Stdout;
        Assert.Contains("=== web (Basic): python3 server.py (1)", ps);
        Assert.Matches(@"web\.1: up \d{4}/\d\d/\d\d \d\d:\d\d:\d\d \+0000 \(~ \d+s ago\)", ps);

        var run = (await cli.RunAsync("run", "-a", app, "--", "echo", "hello from", "$DYNO")).Succeeded();
        Assert.Matches(@"^hello from run\.\d{4}\s*$", run.Stdout);
        Assert.Contains($"on {app}... up, run.", run.Stderr);
        var failing = await cli.RunAsync("run", "-a", app, "--", "sh", "-c", "echo partial; exit 5");
        Assert.Equal(5, failing.ExitCode);
        Assert.Contains("partial", failing.Stdout);
        // One argument is the whole command line, as in `heroku run "rake a && rake b"`.
        var line = (await cli.RunAsync("run", "-a", app, "--", "echo one && echo two")).Succeeded();
        Assert.Equal(["one", "two"], line.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var piped = (await cli.RunWithInputAsync("through stdin\n", "run", "-a", app, "--", "cat")).Succeeded();
        Assert.Equal("through stdin", piped.Stdout.Trim());

        var detached = (await cli.RunAsync("run:detached", "-a", app, "--", "echo", "in the background")).Succeeded().Stdout;
        Assert.Matches($@"Running echo ""in the background"" on {app}\.\.\. done, run\.\d{{4}}", detached);
        await DynoApps.Eventually(() => DynoApps.Logs(Server, api, app), l => l.Contains("in the background"), what: "the detached run's output");

        var before = (await api.Get($"/apps/{app}/dynos/web.1")).Json["id"]!.GetValue<string>();
        Assert.Contains($"Restarting web dynos on {app}... done", (await cli.RunAsync("ps:restart", "web", "-a", app)).Succeeded().Stdout);
        await DynoApps.Eventually(() => api.Get($"/apps/{app}/dynos"),
            r => r.Array.Any(d => d!["name"]!.GetValue<string>() == "web.1" && d["id"]!.GetValue<string>() != before && d["state"]!.GetValue<string>() == "up"),
            what: "web.1 restarted");
        Assert.Contains($"Stopping dyno web.1 on {app}... done", (await cli.RunAsync("ps:stop", "web.1", "-a", app)).Succeeded().Stdout);
        Assert.Contains("Couldn't find that dyno", (await cli.RunAsync("ps:restart", "web.7", "-a", app)).Failed().Stderr);

        Assert.Equal($"http://{app}.localhost:{Server.RouterPort}/", (await cli.RunAsync("open", "-a", app)).Succeeded().Stdout.Trim());
    }
}
