using System.Net;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Builds;

/// <summary>Real `git push` over HTTPS to a real nuvemd: build output comes back live, a release comes out.</summary>
[Collection(ServerCollection.Name)]
public sealed class GitPushTests(ServerFixture fixture)
{
    private NuvemServer Server => fixture.Server;

    private static GitWorkspace ProcfileApp(NuvemServer server) =>
        new GitWorkspace(server)
            .Write("Procfile", "web: ./server.sh\n# a comment\n\nworker: ./work.sh\n")
            .Write("server.sh", "#!/bin/sh\necho serving\n", executable: true)
            .Write("work.sh", "#!/bin/sh\necho working\n", executable: true);

    [Fact]
    public async Task Pushing_a_procfile_app_streams_the_build_and_makes_a_release_with_its_slug()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api, "push");
        using var source = ProcfileApp(Server).Write(".slugignore", "docs\n*.md\n").Write("docs/guide.txt", "not in the slug").Write("README.md", "nor this");
        var commit = source.Commit("first");

        var push = (await source.PushAsync(app)).Succeeded();
        Assert.Contains("remote: -----> Building on the Nuvem stack", push.Output);
        Assert.Contains("remote: -----> Procfile app detected", push.Output);
        Assert.Contains("Procfile declares types -> web, worker", push.Output);
        Assert.Contains("remote: -----> Compressing...", push.Output);
        Assert.Contains("remote:        Released v2", push.Output);
        Assert.Contains($"http://{app}.localhost:{Server.RouterPort}/ deployed to Nuvem", push.Output);

        var release = (await api.Get($"/apps/{app}/releases/2")).Json;
        Assert.Equal($"Deploy {commit[..7]}", release["description"]!.GetValue<string>());
        Assert.True(release["current"]!.GetValue<bool>());
        var slug = (await api.Get($"/apps/{app}/slugs/{release["slug"]!["id"]!.GetValue<string>()}")).Json;
        Assert.Equal(commit, slug["commit"]!.GetValue<string>());
        Assert.Equal("./server.sh", slug["process_types"]!["web"]!.GetValue<string>());
        Assert.StartsWith("SHA256:", slug["checksum"]!.GetValue<string>());

        var entries = SlugFiles.Entries(Server, slug["checksum"]!.GetValue<string>());
        Assert.Contains("./app/Procfile", entries);
        Assert.Contains("./app/server.sh", entries);
        Assert.DoesNotContain(entries, e => e.Contains("docs") || e.EndsWith(".md"));

        var info = (await api.Get($"/apps/{app}")).Json;
        Assert.True(info["slug_size"]!.GetValue<long>() > 0);
        // Recorded once git has answered the pusher: a moment after the push returns.
        await Dynos.DynoApps.Eventually(() => api.Get($"/apps/{app}"), r => r.Json["repo_size"]!.GetValue<long>() > 0,
            TimeSpan.FromSeconds(10), "the repository's size");
        var formation = (await api.Get($"/apps/{app}/formation")).Array;
        Assert.Equal(["web", "worker"], formation.Select(f => f!["type"]!.GetValue<string>()).Order());

        var builds = (await api.Get($"/apps/{app}/builds")).Array;
        var build = Assert.Single(builds);
        Assert.Equal("succeeded", build!["status"]!.GetValue<string>());
        Assert.Equal(release["id"]!.GetValue<string>(), build["release"]!["id"]!.GetValue<string>());

        // A second push makes v3.
        source.Write("server.sh", "#!/bin/sh\necho serving v2\n", executable: true);
        var second = source.Commit("second");
        Assert.Contains("Released v3", (await source.PushAsync(app)).Succeeded().Output);
        Assert.Equal($"Deploy {second[..7]}", (await api.Get($"/apps/{app}/releases/3")).Json["description"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_broken_procfile_rejects_the_push_with_its_line_number_and_keeps_the_release()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api, "badproc");
        using var source = ProcfileApp(Server);
        source.Commit();
        (await source.PushAsync(app)).Succeeded();

        source.Write("Procfile", "web: ./server.sh\nthis line is not a process\n");
        source.Commit("break it");
        var push = (await source.PushAsync(app)).Rejected();
        Assert.Contains("Procfile line 2", push.Output);
        Assert.Contains("pre-receive hook declined", push.Output);
        var releases = (await api.Get($"/apps/{app}/releases")).Array;
        Assert.Equal(2, releases.Count);
        Assert.True(releases[1]!["current"]!.GetValue<bool>());

        source.Write("Procfile", "web: ./server.sh\nweb: ./other.sh\n");
        source.Commit("duplicate");
        Assert.Contains("process type web is declared twice (first on line 1)", (await source.PushAsync(app)).Rejected().Output);

        var builds = (await api.Get($"/apps/{app}/builds")).Array;
        Assert.Equal(["succeeded", "failed", "failed"], builds.Select(b => b!["status"]!.GetValue<string>()));
    }

    [Fact]
    public async Task An_app_nothing_detects_is_rejected_with_what_was_looked_for()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api, "nodetect");
        using var source = new GitWorkspace(Server).Write("hello.txt", "hi");
        source.Commit();
        var push = (await source.PushAsync(app)).Rejected();
        Assert.Contains("No default language could be detected", push.Output);
        Assert.Contains("Looked for:", push.Output);
        Assert.Contains("a Procfile", push.Output);
        Assert.Contains("package.json", push.Output);
        Assert.Single((await api.Get($"/apps/{app}/releases")).Array);
    }

    [Fact]
    public async Task Pushes_to_other_branches_are_refused_with_a_message()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api, "branch");
        using var source = ProcfileApp(Server);
        source.Commit();
        source.Git("checkout", "-q", "-b", "feature");
        var push = (await source.PushAsync(app, "feature")).Rejected();
        Assert.Contains("only main or master are built (you pushed feature)", push.Output);
        Assert.Contains("git push nuvem feature:main", push.Output);
        Assert.Empty((await api.Get($"/apps/{app}/builds")).Array);

        // The hint works: the branch deploys when pushed to main.
        Assert.Contains("Released v2", (await source.PushAsync(app, "feature:main")).Succeeded().Output);
    }

    [Fact]
    public async Task Pushing_needs_a_valid_token_and_an_app_you_own()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api, "guarded");
        using var source = ProcfileApp(Server);
        source.Commit();
        var denied = (await source.PushAsync(app, token: "nuvem_wrong_token_000000000000000")).Rejected();
        Assert.Contains("Authentication failed", denied.Output);

        var email = $"mallory-{Guid.NewGuid().ToString("N")[..6]}@nuvem.test";
        await api.Post("/users", new { email, password = "mallory-password" });
        using var anonymous = new ApiClient(Server.CreateClient());
        var token = (await anonymous.Send(HttpMethod.Post, "/oauth/authorizations", new { }, r =>
            r.Headers.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{email}:mallory-password"))))).Json["access_token"]!["token"]!.GetValue<string>();
        (await source.PushAsync(app, token: token)).Rejected();
        Assert.Single((await api.Get($"/apps/{app}/releases")).Array);
    }

    [Fact]
    public async Task Clone_after_push_returns_the_pushed_source()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api, "clone");
        using var source = ProcfileApp(Server);
        var commit = source.Commit();
        (await source.PushAsync(app)).Succeeded();

        using var other = new GitWorkspace(Server);
        (await other.RunAsync(["fetch", "-q", other.RemoteUrl(app, Server.AdminToken), "main"])).Succeeded();
        Assert.Equal(commit, other.Git("rev-parse", "FETCH_HEAD").Trim());
    }

    [Fact]
    public async Task Destroying_an_app_removes_its_repository()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api, "gone");
        using var source = ProcfileApp(Server);
        source.Commit();
        (await source.PushAsync(app)).Succeeded();
        var id = (await api.Get($"/apps/{app}")).Json["id"]!.GetValue<string>();
        Assert.True(Directory.Exists(Path.Combine(Server.DataDir, "repos", id + ".git")));
        Assert.Equal(HttpStatusCode.OK, (await api.Delete($"/apps/{app}")).Status);
        Assert.False(Directory.Exists(Path.Combine(Server.DataDir, "repos", id + ".git")));
    }
}
