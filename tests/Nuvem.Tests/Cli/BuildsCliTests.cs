using System.Text.Json.Nodes;
using Nuvem.Tests.Builds;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Cli;

/// <summary>deploy (a directory, no git push), builds and builds:output against real builds.</summary>
[Collection(ServerCollection.Name)]
public sealed class BuildsCliTests(ServerFixture fixture)
{
    private NuvemServer Server => fixture.Server;

    private static string Scratch(string prefix) => Directory.CreateTempSubdirectory(prefix).FullName;

    private static void Write(string directory, string path, string content, bool executable = false)
    {
        var full = Path.Combine(directory, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        if (executable) File.SetUnixFileMode(full, File.GetUnixFileMode(full) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
    }

    /// <summary>What ended up in the app: the files in the release's slug, without the "./app/" prefix.</summary>
    private async Task<List<string>> AppFiles(string app, int version)
    {
        using var api = Server.Api();
        var release = (await api.Get($"/apps/{app}/releases/{version}")).Json;
        var slug = (await api.Get($"/apps/{app}/slugs/{release["slug"]!["id"]!.GetValue<string>()}")).Json;
        return SlugFiles.Entries(Server, slug["checksum"]!.GetValue<string>())
            .Where(name => name.StartsWith("./app/") && !name.EndsWith('/'))
            .Select(name => name["./app/".Length..])
            .ToList();
    }

    [Fact]
    public async Task Deploy_builds_a_plain_directory_and_releases_it()
    {
        using var cli = new NuvemCli(Server);
        (await cli.LoginAsync()).Succeeded();
        var app = await fixture.NewAppAsync(Server.Api(), "deploy");
        var directory = Scratch("nuvem-deploy-");
        Write(directory, "Procfile", "web: ./run.sh\n");
        Write(directory, "run.sh", "#!/bin/sh\necho running\n", executable: true);
        Write(directory, ".env.example", "dotfiles are source too");
        Write(directory, "lib/helper.sh", "echo helping\n");
        Write(directory, ".git/HEAD", "not a real repository, but never part of the source");

        var deploy = (await cli.RunAsync("deploy", directory, "-a", app)).Succeeded();
        Assert.Contains($"Packing {directory}... done, 4 files (", deploy.Stdout);
        Assert.Contains("Uploading source... done", deploy.Stdout);
        Assert.Contains("-----> Procfile app detected", deploy.Stdout);
        Assert.Contains("Released v2", deploy.Stdout);

        Assert.Equal([".env.example", "Procfile", "lib/helper.sh", "run.sh"], (await AppFiles(app, 2)).Order(StringComparer.Ordinal));
        var build = Assert.Single((await Server.Api().Get($"/apps/{app}/builds")).Array)!;
        Assert.Equal("succeeded", build["status"]!.GetValue<string>());
        Assert.StartsWith("deploy 20", build["source_blob"]!["version"]!.GetValue<string>());

        // The newest build's output by default; the same output again by id, once the build is over.
        var id = build["id"]!.GetValue<string>();
        Assert.Contains($"Building {app} (build {id}, version deploy 20", deploy.Stdout);
        var output = (await cli.RunAsync("builds:output", "-a", app)).Succeeded().Stdout;
        Assert.Contains("-----> Procfile app detected", output);
        Assert.Contains("Released v2", output);
        Assert.Equal(output, (await cli.RunAsync("builds:output", id, "-a", app)).Succeeded().Stdout);
        Assert.Contains(output, deploy.Stdout);
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task Deploy_in_a_git_work_tree_sends_what_git_would_commit_and_names_the_commit()
    {
        using var cli = new NuvemCli(Server);
        (await cli.LoginAsync()).Succeeded();
        using var source = CliApps.ProcfileApp(Server, cli)
            .Write(".gitignore", "secret.txt\nbuild/\n")
            .Write("tracked-then-deleted.txt", "gone soon");
        var commit = source.Commit();
        File.Delete(Path.Combine(source.Directory, "tracked-then-deleted.txt"));
        source.Write("secret.txt", "ignored").Write("build/out.o", "ignored too").Write("untracked.txt", "new, not yet committed");
        source.Write("run.sh", "#!/bin/sh\necho changed, not committed\n", executable: true);
        var app = $"gdeploy-{Guid.NewGuid().ToString("N")[..8]}";
        (await cli.RunAsync("apps:create", app)).Succeeded();

        // The app comes from the repository's nuvem remote.
        var deploy = (await cli.RunAsync("deploy")).Succeeded();
        Assert.Contains($"version {commit})", deploy.Stdout);
        Assert.Contains("Released v2", deploy.Stdout);
        Assert.Equal([".gitignore", "Procfile", "run.sh", "untracked.txt"], (await AppFiles(app, 2)).Order(StringComparer.Ordinal));
        Assert.Equal(commit, (await Server.Api().Get($"/apps/{app}/builds")).Array[0]!["source_blob"]!["version"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_failed_deploy_exits_1_and_builds_lists_newest_first()
    {
        using var cli = new NuvemCli(Server);
        (await cli.LoginAsync()).Succeeded();
        var app = await fixture.NewAppAsync(Server.Api(), "bfail");
        Assert.Equal($"No builds on {app}.\n", (await cli.RunAsync("builds", "-a", app)).Succeeded().Stdout);
        Assert.Contains($"No builds on {app}.", (await cli.RunAsync("builds:output", "-a", app)).Failed().Stderr);

        var directory = Scratch("nuvem-deploy-fail-");
        Write(directory, "Procfile", "web: ./run.sh\n");
        Write(directory, "run.sh", "#!/bin/sh\n", executable: true);
        (await cli.RunAsync("deploy", directory, "-a", app)).Succeeded();
        // Build times have whole-second resolution; a second apart, newest-first is unambiguous.
        await Task.Delay(TimeSpan.FromMilliseconds(1100));

        File.Delete(Path.Combine(directory, "Procfile"));
        var failed = (await cli.RunAsync("deploy", directory, "-a", app)).Failed();
        Assert.Equal(1, failed.ExitCode);
        Assert.Contains("No default language could be detected", failed.Stdout);
        Assert.Equal(" ▸    Build failed\n", failed.Stderr);

        var builds = (await Server.Api().Get($"/apps/{app}/builds")).Array.Select(b => b!).ToList();
        var (first, second) = (builds[0]["id"]!.GetValue<string>(), builds[1]["id"]!.GetValue<string>());
        var list = (await cli.RunAsync("builds", "-a", app)).Succeeded().Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"=== {app} Builds", list[0]);
        Assert.Matches($@"^{second}  failed     {NuvemServer.AdminEmail}  \d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", list[1]);
        Assert.Matches($@"^{first}  succeeded  {NuvemServer.AdminEmail}  ", list[2]);
        Assert.Equal(3, list.Length);
        Assert.Single(JsonNode.Parse((await cli.RunAsync("builds", "--json", "-n", "1", "-a", app)).Succeeded().Stdout)!.AsArray());
        Assert.Contains("No default language could be detected", (await cli.RunAsync("builds:output", "-a", app)).Succeeded().Stdout);

        Assert.Contains("Couldn't find that build.", (await cli.RunAsync("builds:output", "no-such-build", "-a", app)).Failed().Stderr);
        Assert.Contains("is not a directory", (await cli.RunAsync("deploy", Path.Combine(directory, "nope"), "-a", app)).Failed().Stderr);
        Directory.Delete(directory, recursive: true);
        Assert.Contains("Nothing to deploy", (await cli.RunAsync("deploy", Scratch("nuvem-deploy-empty-"), "-a", app)).Failed().Stderr);
    }

    [Fact]
    public async Task Deploy_and_builds_output_print_the_build_while_it_runs()
    {
        using var cli = new NuvemCli(Server);
        (await cli.LoginAsync()).Succeeded();
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api, "live");
        (await cli.RunAsync("buildpacks:set", BuildpackTests.StampBuildpack, "-a", app)).Succeeded();
        var directory = Scratch("nuvem-deploy-live-");
        var pidFile = Path.Combine(Path.GetTempPath(), $"nuvem-live-{Guid.NewGuid():N}");
        Write(directory, "stamp.txt", "x");
        Write(directory, "sleep", "4");
        Write(directory, "pidfile", pidFile);

        // When the buildpack's first line arrives the build is still running (it sleeps for 4 s afterwards).
        var stamping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var deploy = cli.RunStreamingAsync("", line => { if (line.Contains("-----> Stamping")) stamping.TrySetResult(); }, "deploy", directory, "-a", app);
        await stamping.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var running = (await api.Get($"/apps/{app}/builds")).Array.Single()!;
        Assert.Equal("pending", running["status"]!.GetValue<string>());

        // A second reader joins mid-build, gets what was said so far and follows to the end.
        var follower = (await cli.RunAsync("builds:output", "-a", app)).Succeeded().Stdout;
        Assert.Contains("-----> Stamping", follower);
        Assert.Contains("Released v2", follower);

        var finished = (await deploy).Succeeded();
        Assert.Contains("Released v2", finished.Stdout);
        File.Delete(pidFile);
        Directory.Delete(directory, recursive: true);
    }
}
