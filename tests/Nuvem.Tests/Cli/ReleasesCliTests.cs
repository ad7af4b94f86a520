using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Cli;

/// <summary>rollback and releases:output against real releases made by git pushes and config changes.</summary>
[Collection(ServerCollection.Name)]
public sealed class ReleasesCliTests(ServerFixture fixture)
{
    private NuvemServer Server => fixture.Server;

    private async Task<string?> ConfigVar(string app, string key) =>
        (await Server.Api().Get($"/apps/{app}/config-vars")).Json[key]?.GetValue<string>();

    [Fact]
    public async Task Rollback_goes_to_the_release_before_the_current_one_or_to_the_one_named()
    {
        using var cli = new NuvemCli(Server);
        (await cli.LoginAsync()).Succeeded();
        using var source = CliApps.ProcfileApp(Server, cli);
        source.Commit();
        var app = $"rb-{Guid.NewGuid().ToString("N")[..8]}";
        (await cli.RunAsync("apps:create", app)).Succeeded();
        Assert.Contains($"No release to roll back to on {app}", (await cli.RunAsync("rollback")).Failed().Stderr);

        (await source.RunAsync(["push", "nuvem", "main"])).Succeeded(); // v2
        (await cli.RunAsync("config:set", "COLOR=blue")).Succeeded(); // v3

        Assert.Equal($"Rolling back {app} to v2... done, v4\nTo undo, run: nuvem rollback v3\n", (await cli.RunAsync("rollback")).Succeeded().Stdout);
        Assert.Null(await ConfigVar(app, "COLOR"));
        var v4 = (await Server.Api().Get($"/apps/{app}/releases/4")).Json;
        Assert.Equal("Rollback to v2", v4["description"]!.GetValue<string>());
        Assert.True(v4["current"]!.GetValue<bool>());

        Assert.StartsWith($"Rolling back {app} to v3... done, v5\n", (await cli.RunAsync("rollback", "v3", "-a", app)).Succeeded().Stdout);
        Assert.Equal("blue", await ConfigVar(app, "COLOR"));
        Assert.StartsWith($"Rolling back {app} to v2... done, v6\n", (await cli.RunAsync("rollback", "2")).Succeeded().Stdout);

        Assert.Contains("Couldn't find that release", (await cli.RunAsync("rollback", "v99")).Failed().Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(6, (await Server.Api().Get($"/apps/{app}/releases")).Array.Count);
    }

    [Fact]
    public async Task Release_commands_gate_rollbacks_and_their_output_is_kept()
    {
        using var cli = new NuvemCli(Server);
        (await cli.LoginAsync()).Succeeded();
        using var source = CliApps.ProcfileApp(Server, cli)
            .Write("Procfile", "web: ./run.sh\nrelease: ./migrate.sh\n")
            .Write("migrate.sh", """
                #!/bin/sh
                echo "migrating to $MARK"
                [ -f fail ] && { echo 'migration failed' >&2; exit 1; }
                [ "$DYNO" = "$STOP_AT" ] && { echo "stopped at $STOP_AT" >&2; exit 1; }
                echo migrated
                """, executable: true);
        source.Commit();
        var app = $"relout-{Guid.NewGuid().ToString("N")[..8]}";
        (await cli.RunAsync("apps:create", app)).Succeeded();
        // The release command of v6 (its dyno is release.6) will fail: the dyno is isolated, so the test steers it by config.
        (await cli.RunAsync("config:set", "MARK=one", "STOP_AT=release.6")).Succeeded(); // v2, no code yet
        (await source.RunAsync(["push", "nuvem", "main"])).Succeeded(); // v3, with a release phase

        var newest = (await cli.RunAsync("releases:output")).Succeeded().Stdout;
        Assert.Contains("migrating to one", newest);
        Assert.Contains("migrated", newest);
        Assert.Equal(newest, (await cli.RunAsync("releases:output", "v3")).Succeeded().Stdout);
        Assert.Equal("No output for v2.\n", (await cli.RunAsync("releases:output", "v2")).Succeeded().Stdout);

        source.Write("fail", "yes");
        source.Commit("break the migration");
        (await source.RunAsync(["push", "nuvem", "main"])).Rejected(); // v4 failed; v3 stays current
        Assert.Contains("migration failed", (await cli.RunAsync("releases:output", "v4")).Succeeded().Stdout);

        // Before the current v3 comes the config change v2 (the failed v4 is neither current nor eligible). Rolling
        // back to it runs v3's code with v2's config, after its release command passed; the CLI shows that command.
        var rollback = (await cli.RunAsync("rollback")).Succeeded().Stdout;
        Assert.StartsWith($"Rolling back {app} to v2... done, v5\nRunning release command...\nmigrating to one\n", rollback);
        Assert.EndsWith("Release command exited 0.\nTo undo, run: nuvem rollback v3\n", rollback);
        Assert.True((await Server.Api().Get($"/apps/{app}/releases/5")).Json["current"]!.GetValue<bool>());
        Assert.Contains("cannot be rolled back to", (await cli.RunAsync("rollback", "v4")).Failed().Stderr);

        // A release command that fails fails the rollback, and the app stays on what it ran.
        var refused = (await cli.RunAsync("rollback", "v3")).Failed();
        Assert.Contains("stopped at release.6", refused.Stdout);
        Assert.Contains($"Release command failed: v6 is marked failed and {app} keeps running its current release.", refused.Stderr);
        Assert.True((await Server.Api().Get($"/apps/{app}/releases/5")).Json["current"]!.GetValue<bool>());
        Assert.Contains("Couldn't find that app.", (await cli.RunAsync("releases:output", "-a", "no-such-app-here")).Failed().Stderr);
    }
}
