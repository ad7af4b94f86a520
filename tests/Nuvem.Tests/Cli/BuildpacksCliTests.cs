using System.Text.Json.Nodes;
using Nuvem.Tests.Builds;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Cli;

/// <summary>buildpacks, buildpacks:set/add/remove/clear: Heroku's messages, the list the server keeps, and a push that uses it.</summary>
[Collection(ServerCollection.Name)]
public sealed class BuildpacksCliTests(ServerFixture fixture)
{
    private NuvemServer Server => fixture.Server;

    private const string GitBuildpack = "https://git.example.invalid/buildpacks/extra.git#v1";

    private async Task<List<string>> ServerList(string app) =>
        (await Server.Api().Get($"/apps/{app}/buildpack-installations")).Array.Select(i => i!["buildpack"]!["url"]!.GetValue<string>()).ToList();

    [Fact]
    public async Task Set_add_remove_and_clear_edit_the_ordered_list_with_herokus_messages()
    {
        using var cli = new NuvemCli(Server);
        (await cli.LoginAsync()).Succeeded();
        var app = await fixture.NewAppAsync(Server.Api(), "bps");
        var stamp = BuildpackTests.StampBuildpack;

        Assert.Equal($"{app} has no buildpack set.\n", (await cli.RunAsync("buildpacks", "-a", app)).Succeeded().Stdout);

        Assert.Equal(
            $"Buildpack set. Next release on {app} will use procfile.\nRun `git push nuvem main` or `nuvem deploy` to create a new release using this buildpack.\n",
            (await cli.RunAsync("buildpacks:set", "procfile", "-a", app)).Succeeded().Stdout);
        Assert.Equal($"=== {app} Buildpack URL\nprocfile\n", (await cli.RunAsync("buildpacks", "-a", app)).Succeeded().Stdout);

        var added = (await cli.RunAsync("buildpacks:add", stamp, "-a", app)).Succeeded().Stdout;
        Assert.Equal(
            $"Buildpack added. Next release on {app} will use:\n  1. procfile\n  2. {stamp}\nRun `git push nuvem main` or `nuvem deploy` to create a new release using these buildpacks.\n",
            added);
        (await cli.RunAsync("buildpacks:add", GitBuildpack, "-i", "1", "-a", app)).Succeeded();
        Assert.Equal([GitBuildpack, "procfile", stamp], await ServerList(app));
        Assert.Equal($"=== {app} Buildpack URLs\n1. {GitBuildpack}\n2. procfile\n3. {stamp}\n", (await cli.RunAsync("buildpacks", "-a", app)).Succeeded().Stdout);

        // set -i replaces in place; an index past the end appends.
        (await cli.RunAsync("buildpacks:set", "nuvem/procfile", "-i", "2", "-a", app)).Succeeded();
        Assert.Equal([GitBuildpack, "nuvem/procfile", stamp], await ServerList(app));
        (await cli.RunAsync("buildpacks:set", "procfile", "-i", "9", "-a", app)).Succeeded();
        Assert.Equal([GitBuildpack, "nuvem/procfile", stamp, "procfile"], await ServerList(app));

        Assert.Contains($"The buildpack procfile is already set on {app}.", (await cli.RunAsync("buildpacks:add", "procfile", "-a", app)).Failed().Stderr);
        Assert.Contains("relative path", (await cli.RunAsync("buildpacks:add", "./my-buildpack", "-a", app)).Failed().Stderr);
        Assert.Contains("greater than 0", (await cli.RunAsync("buildpacks:add", "x", "-i", "0", "-a", app)).Failed().Stderr);

        Assert.Contains("Buildpack removed.", (await cli.RunAsync("buildpacks:remove", "-i", "1", "-a", app)).Succeeded().Stdout);
        (await cli.RunAsync("buildpacks:remove", "nuvem/procfile", "-a", app)).Succeeded();
        Assert.Equal([stamp, "procfile"], await ServerList(app));
        Assert.Contains("not both", (await cli.RunAsync("buildpacks:remove", "procfile", "-i", "1", "-a", app)).Failed().Stderr);
        Assert.Contains("Must specify a buildpack to remove", (await cli.RunAsync("buildpacks:remove", "-a", app)).Failed().Stderr);
        Assert.Contains("Invalid index. Please choose a value between 1 and 2.", (await cli.RunAsync("buildpacks:remove", "-i", "3", "-a", app)).Failed().Stderr);
        Assert.Contains("Nothing was removed.", (await cli.RunAsync("buildpacks:remove", "heroku/ruby", "-a", app)).Failed().Stderr);
        Assert.Equal(
            $"Buildpack removed. Next release on {app} will use {stamp}.\nRun `git push nuvem main` or `nuvem deploy` to create a new release using this buildpack.\n",
            (await cli.RunAsync("buildpacks:remove", "procfile", "-a", app)).Succeeded().Stdout);

        var json = JsonNode.Parse((await cli.RunAsync("buildpacks", "--json", "-a", app)).Succeeded().Stdout)!.AsArray();
        Assert.Equal(1, json.Single()!["ordinal"]!.GetValue<int>());

        Assert.Equal($"Buildpacks cleared. Next release on {app} will detect buildpacks normally.\n", (await cli.RunAsync("buildpacks:clear", "-a", app)).Succeeded().Stdout);
        Assert.Empty(await ServerList(app));
        Assert.Contains("No buildpacks were found.", (await cli.RunAsync("buildpacks:remove", "-i", "1", "-a", app)).Failed().Stderr);
        Assert.Contains("Couldn't find that app.", (await cli.RunAsync("buildpacks", "-a", "no-such-app-here")).Failed().Stderr);
    }

    [Fact]
    public async Task The_next_push_builds_with_the_buildpack_set_by_the_cli()
    {
        using var cli = new NuvemCli(Server);
        (await cli.LoginAsync()).Succeeded();
        using var source = new GitWorkspace(Server).Write("stamp.txt", "x");
        CliApps.SharedBy(source, cli);
        source.Commit();
        var app = $"bpush-{Guid.NewGuid().ToString("N")[..8]}";
        (await cli.RunAsync("apps:create", app)).Succeeded();

        // Inside the repository the app comes from the nuvem remote.
        (await cli.RunAsync("buildpacks:set", BuildpackTests.StampBuildpack)).Succeeded();
        var push = (await source.RunAsync(["push", "nuvem", "main"])).Succeeded();
        Assert.Contains("Stamp app detected", push.Output);
        Assert.Contains("Released v2", push.Output);
    }
}
