using System.Net;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Builds;

/// <summary>Custom buildpacks with Heroku's classic API, by directory and by git URL, through real pushes.</summary>
[Collection(ServerCollection.Name)]
public sealed class BuildpackTests(ServerFixture fixture)
{
    private NuvemServer Server => fixture.Server;

    public static string StampBuildpack => Path.Combine(Repo.Root, "tests", "Nuvem.Tests", "Fixtures", "buildpacks", "stamp");

    private async Task<string> AppWithBuildpack(ApiClient api, string buildpack)
    {
        var app = await fixture.NewAppAsync(api, "bp");
        var set = await api.Send(HttpMethod.Put, $"/apps/{app}/buildpack-installations", new { updates = new[] { new { buildpack } } });
        Assert.Equal(HttpStatusCode.OK, set.Status);
        Assert.Equal(buildpack, set.Array[0]!["buildpack"]!["url"]!.GetValue<string>());
        return app;
    }

    [Fact]
    public async Task A_buildpack_from_a_directory_compiles_with_config_in_env_dir_and_a_kept_cache()
    {
        using var api = Server.Api();
        var app = await AppWithBuildpack(api, StampBuildpack);
        await api.Patch($"/apps/{app}/config-vars", new { GREETING = "bom dia" });
        using var source = new GitWorkspace(Server).Write("stamp.txt", "x");
        source.Commit();

        var push = (await source.PushAsync(app)).Succeeded();
        Assert.Contains("remote: -----> Stamp app detected", push.Output);
        Assert.Contains("remote: -----> Stamping", push.Output);
        Assert.Contains("cache run 1", push.Output);
        Assert.Contains("Default types for buildpack -> web, stamper", push.Output);
        // Build steps get a fresh environment: none of the platform's own variables (and so none of its secrets).
        var environmentLine = push.Output.Split('\n').Single(l => l.Contains("environment:"));
        Assert.DoesNotContain("NUVEM", environmentLine);
        Assert.Contains("STACK", environmentLine);

        var release = (await api.Get($"/apps/{app}/releases/3")).Json; // v2 was the config change
        var slug = (await api.Get($"/apps/{app}/slugs/{release["slug"]!["id"]!.GetValue<string>()}")).Json;
        Assert.Equal("./stamped-server", slug["process_types"]!["web"]!.GetValue<string>());
        Assert.Equal("Stamp", slug["buildpack_provided_description"]!.GetValue<string>());
        Assert.Equal(["stamper", "web"], (await api.Get($"/apps/{app}/formation")).Array.Select(f => f!["type"]!.GetValue<string>()).Order());

        source.Write("Procfile", "web: ./stamped-server --from-procfile\n");
        source.Commit("procfile wins");
        var second = (await source.PushAsync(app)).Succeeded();
        Assert.Contains("cache run 2", second.Output);
        var latest = (await api.Get($"/apps/{app}/releases/4")).Json;
        var latestSlug = (await api.Get($"/apps/{app}/slugs/{latest["slug"]!["id"]!.GetValue<string>()}")).Json;
        Assert.Equal("./stamped-server --from-procfile", latestSlug["process_types"]!["web"]!.GetValue<string>());
        Assert.Equal("./stamped-server --again", latestSlug["process_types"]!["stamper"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_failing_compile_rejects_the_push_and_keeps_the_current_release()
    {
        using var api = Server.Api();
        var app = await AppWithBuildpack(api, StampBuildpack);
        using var source = new GitWorkspace(Server).Write("stamp.txt", "x");
        source.Commit();
        (await source.PushAsync(app)).Succeeded();

        source.Write("fail", "yes");
        source.Commit("fail please");
        var push = (await source.PushAsync(app)).Rejected();
        Assert.Contains("stamp: asked to fail", push.Output);
        Assert.Contains("Failed to compile Stamp app", push.Output);
        Assert.Contains("the current release is unchanged", push.Output);

        var releases = (await api.Get($"/apps/{app}/releases")).Array;
        Assert.Equal(2, releases.Count);
        Assert.True(releases[1]!["current"]!.GetValue<bool>());
        Assert.Equal("failed", (await api.Get($"/apps/{app}/builds")).Array[^1]!["status"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("file:///etc#x", "git buildpacks are fetched over https, http or git, not file")]
    [InlineData("ssh://git@example.com/x.git", "not ssh")]
    [InlineData("https://example.com/x.git#--upload-pack=touch", "is not a branch or tag name")]
    public async Task Other_kinds_of_git_urls_are_refused_before_anything_is_fetched(string url, string message)
    {
        using var api = Server.Api();
        var app = await AppWithBuildpack(api, url);
        using var source = new GitWorkspace(Server).Write("Procfile", "web: true\n");
        source.Commit();
        var refused = (await source.PushAsync(app)).Rejected();
        Assert.Contains(message, refused.Output);
        Assert.DoesNotContain("Fetching buildpack", refused.Output);
    }

    [Fact]
    public async Task An_unknown_or_missing_buildpack_fails_clearly()
    {
        using var api = Server.Api();
        var app = await AppWithBuildpack(api, "/no/such/buildpack");
        using var source = new GitWorkspace(Server).Write("Procfile", "web: true\n");
        source.Commit();
        Assert.Contains("Buildpack directory /no/such/buildpack is not allowed on this platform", (await source.PushAsync(app)).Rejected().Output);
        var missing = Path.Combine(Path.GetDirectoryName(StampBuildpack)!, "missing");
        await api.Send(HttpMethod.Put, $"/apps/{app}/buildpack-installations", new { updates = new[] { new { buildpack = missing } } });
        Assert.Contains($"Buildpack directory {missing} does not exist", (await source.PushAsync(app)).Rejected().Output);

        await api.Send(HttpMethod.Put, $"/apps/{app}/buildpack-installations", new { updates = new[] { new { buildpack = "nonsense" } } });
        Assert.Contains("Unknown buildpack 'nonsense'", (await source.PushAsync(app)).Rejected().Output);

        // Clearing the list goes back to detection.
        var cleared = await api.Send(HttpMethod.Put, $"/apps/{app}/buildpack-installations", new { updates = Array.Empty<object>() });
        Assert.Empty(cleared.Array);
        Assert.Contains("Procfile app detected", (await source.PushAsync(app)).Succeeded().Output);
    }

    [Fact]
    public async Task Buildpack_installations_validate_their_input()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api, "bpv");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await api.Send(HttpMethod.Put, $"/apps/{app}/buildpack-installations", new { })).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await api.Send(HttpMethod.Put, $"/apps/{app}/buildpack-installations", new { updates = new[] { new { url = "x" } } })).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await api.Send(HttpMethod.Put, $"/apps/{app}/buildpack-installations",
            new { updates = new[] { new { buildpack = "a" }, new { buildpack = "a" } } })).Status);
        Assert.Empty((await api.Get($"/apps/{app}/buildpack-installations")).Array);
    }
}

/// <summary>Build limits need a server of their own with small settings.</summary>
public sealed class BuildLimitTests
{
    [Fact]
    public async Task A_build_past_its_timeout_is_stopped_with_everything_it_started_and_a_slug_past_the_limit_is_refused()
    {
        await using var server = await NuvemServer.StartNewAsync(new Dictionary<string, string>
        {
            ["NUVEM_BUILD_TIMEOUT"] = "4",
            ["NUVEM_SLUG_MAX_MB"] = "1",
        });
        using var api = server.Api();
        var app = (await api.Post("/apps", new { name = "limited" })).Json["name"]!.GetValue<string>();
        await api.Send(HttpMethod.Put, $"/apps/{app}/buildpack-installations", new { updates = new[] { new { buildpack = BuildpackTests.StampBuildpack } } });

        // The sleeper runs inside the build dyno (its pid and /tmp are not the host's): a unique duration finds it.
        var duration = $"120.{Random.Shared.Next(1000, 9999)}";
        using var source = new GitWorkspace(server).Write("stamp.txt", "x").Write("sleep", duration).Write("pidfile", "/tmp/sleeper.pid");
        source.Commit();
        var started = DateTime.UtcNow;
        var push = (await source.PushAsync(app)).Rejected();
        Assert.True(push.Output.Contains("timed out"), push.Output);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(60), "the build was not stopped at its timeout");
        Assert.Empty(HostProcesses.Running($"sleep\0{duration}"));
        Assert.Empty(Directory.Exists(Path.Combine(server.DataDir, "dynos", "builds"))
            ? Directory.GetFileSystemEntries(Path.Combine(server.DataDir, "dynos", "builds")) : []);

        using var big = new GitWorkspace(server).Write("stamp.txt", "x").Write("big", (3 * 1024 * 1024).ToString());
        big.Commit();
        var tooBig = (await big.PushAsync(app)).Rejected();
        Assert.Contains("Slug is larger than the limit of 1 MB", tooBig.Output);
        Assert.Single((await api.Get($"/apps/{app}/releases")).Array);
    }
}

/// <summary>The platform's buildpack registry, for the heroku CLI's shorthands.</summary>
[Collection(ServerCollection.Name)]
public sealed class BuildpackRegistryTests(ServerFixture fixture)
{
    [Fact]
    public async Task Built_in_buildpacks_answer_as_heroku_shorthands_without_credentials()
    {
        using var anonymous = new ApiClient(fixture.Server.CreateClient(accept: "application/vnd.heroku+json; version=3.buildpack-registry"));
        var python = await anonymous.Get("/buildpacks/heroku%2Fpython");
        Assert.Equal(HttpStatusCode.OK, python.Status);
        Assert.Equal("heroku/python", python.Json["blob_url"]!.GetValue<string>());
        Assert.Equal("nuvem/nodejs", (await anonymous.Get("/buildpacks/nuvem%2Fnodejs")).Json["blob_url"]!.GetValue<string>());
        var unknown = await anonymous.Get("/buildpacks/heroku%2Fcobol");
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Contains("git URL", unknown.Json["message"]!.GetValue<string>());
    }
}
