using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Cli;

/// <summary>git:remote, the git credential helper and apps:create in a repository: `git push nuvem main` with no token in sight.</summary>
[Collection(ServerCollection.Name)]
public sealed class GitCliTests(ServerFixture fixture)
{
    private NuvemServer Server => fixture.Server;

    private string GitUrl(string app) => $"https://localhost:{Server.ApiPort}/{app}.git";

    private string HelperKey => $"credential.https://localhost:{Server.ApiPort}.helper";

    private string[] Helpers(GitWorkspace source) => source.Git("config", "--local", "--get-all", HelperKey).TrimEnd('\n').Split('\n');

    [Fact]
    public async Task Git_remote_sets_the_remote_and_credentials_so_a_plain_git_push_deploys()
    {
        using var cli = new NuvemCli(Server);
        (await cli.LoginAsync()).Succeeded();
        var app = await fixture.NewAppAsync(Server.Api(), "remote");
        using var source = CliApps.ProcfileApp(Server, cli);
        source.Commit("first");

        var remote = (await cli.RunAsync("git:remote", "-a", app)).Succeeded();
        Assert.Equal($"set git remote nuvem to {GitUrl(app)}", remote.Stdout.TrimEnd('\n'));
        Assert.Equal(GitUrl(app), source.Git("remote", "get-url", "nuvem").Trim());
        // The helper is this very CLI (dotnet + its dll here), after a reset of helpers configured elsewhere.
        var helpers = Helpers(source);
        Assert.Equal(2, helpers.Length);
        Assert.Equal("", helpers[0]);
        Assert.StartsWith("!/", helpers[1]);
        Assert.EndsWith($"{Repo.CliDll} git:credentials", helpers[1]);

        var push = (await source.RunAsync(["push", "nuvem", "main"])).Succeeded();
        Assert.Contains("Released v2", push.Output);
        Assert.DoesNotContain(Server.AdminToken, source.Git("config", "--local", "--list"));

        // Running it again repoints the remote and leaves exactly one helper entry (plus the reset).
        var other = await fixture.NewAppAsync(Server.Api(), "remote2");
        Assert.Contains($"set git remote nuvem to {GitUrl(other)}", (await cli.RunAsync("git:remote", "-a", other)).Succeeded().Stdout);
        Assert.Equal(helpers, Helpers(source));
        Assert.Contains("Released v2", (await source.RunAsync(["push", "nuvem", "main"])).Succeeded().Output);

        // Without the helper git has no way to authenticate: the helper is what made the pushes work.
        source.Git("config", "--local", "--unset-all", HelperKey);
        (await source.RunAsync(["push", "nuvem", "main:main"])).Rejected();
    }

    [Fact]
    public async Task Git_remote_takes_a_remote_name_and_needs_a_repository_and_an_existing_app()
    {
        using var cli = new NuvemCli(Server);
        (await cli.LoginAsync()).Succeeded();
        var app = await fixture.NewAppAsync(Server.Api(), "named");

        Assert.Contains("Not inside a git repository", (await cli.RunAsync("git:remote", "-a", app)).Failed().Stderr);

        using var source = CliApps.ProcfileApp(Server, cli);
        Assert.Equal($"set git remote staging to {GitUrl(app)}", (await cli.RunAsync("git:remote", "-a", app, "-r", "staging")).Succeeded().Stdout.TrimEnd('\n'));
        Assert.Equal(GitUrl(app), source.Git("remote", "get-url", "staging").Trim());
        Assert.Contains("Couldn't find that app.", (await cli.RunAsync("git:remote", "-a", "no-such-app-here")).Failed().Stderr);
        Assert.Contains("Specify an app with -a APP", (await cli.RunAsync("git:remote")).Failed().Stderr);
    }

    [Fact]
    public async Task Apps_create_in_a_repository_sets_up_the_credentials_too()
    {
        using var cli = new NuvemCli(Server);
        (await cli.LoginAsync()).Succeeded();
        using var source = CliApps.ProcfileApp(Server, cli);
        source.Commit();
        var app = $"created-{Guid.NewGuid().ToString("N")[..8]}";

        Assert.Contains("Git remote nuvem added", (await cli.RunAsync("apps:create", app)).Succeeded().Stdout);
        // Git trusts the platform's CA from the repository's config, as on a fresh machine without GIT_SSL_CAINFO.
        Assert.Equal(Server.CaFile, source.Git("config", "--local", $"http.https://localhost:{Server.ApiPort}/.sslCAInfo").Trim());
        source.CaFromEnvironment = false;
        Assert.Contains("Released v2", (await source.RunAsync(["push", "nuvem", "main"])).Succeeded().Output);
    }

    [Fact]
    public async Task The_credential_helper_answers_only_for_the_platform_host_and_only_to_get()
    {
        using var cli = new NuvemCli(Server);
        (await cli.LoginAsync()).Succeeded();
        var token = (await cli.RunAsync("auth:token")).Succeeded().Stdout.Trim();

        var answer = (await cli.RunWithInputAsync($"protocol=https\nhost=localhost:{Server.ApiPort}\npath=x.git\n\n", "git:credentials", "get")).Succeeded();
        Assert.Equal($"username=nuvem\npassword={token}\n", answer.Stdout);

        Assert.Equal("", (await cli.RunWithInputAsync("protocol=https\nhost=github.com\n\n", "git:credentials", "get")).Succeeded().Stdout);
        Assert.Equal("", (await cli.RunWithInputAsync($"protocol=http\nhost=localhost:{Server.ApiPort}\n\n", "git:credentials", "get")).Succeeded().Stdout);
        Assert.Equal("", (await cli.RunWithInputAsync($"protocol=https\nhost=localhost:{Server.ApiPort}\nusername=nuvem\npassword={token}\n\n", "git:credentials", "store")).Succeeded().Stdout);

        // NUVEM_API_KEY wins over netrc, as for every other command.
        cli.Environment["NUVEM_API_KEY"] = "nuvem_from_the_environment";
        Assert.Contains("password=nuvem_from_the_environment", (await cli.RunWithInputAsync($"protocol=https\nhost=localhost:{Server.ApiPort}\n\n", "git:credentials", "get")).Succeeded().Stdout);

        // Hidden from the command list, but documented.
        Assert.DoesNotContain("git:credentials", (await cli.RunAsync("--help")).Succeeded().Stdout);
        Assert.Contains("OPERATION", (await cli.RunAsync("git:credentials", "--help")).Succeeded().Stdout);
    }
}
