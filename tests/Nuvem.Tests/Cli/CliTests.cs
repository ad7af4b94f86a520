using System.Diagnostics;
using System.Text.Json.Nodes;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Cli;

/// <summary>The real nuvem binary against the real server: what a user types, what they see, what it changes.</summary>
[Collection(ServerCollection.Name)]
public sealed class CliTests(ServerFixture fixture)
{
    private NuvemServer Server => fixture.Server;

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    [Fact]
    public async Task Login_stores_the_token_in_netrc_under_host_and_port_and_whoami_uses_it()
    {
        using var cli = new NuvemCli(Server);
        var login = (await cli.LoginAsync()).Succeeded();
        Assert.Contains($"Logged in as {NuvemServer.AdminEmail}", login.Stdout);

        var netrc = await File.ReadAllTextAsync(cli.NetrcPath);
        Assert.Contains($"machine localhost:{Server.ApiPort}", netrc);
        Assert.Contains($"login {NuvemServer.AdminEmail}", netrc);
        Assert.Equal(Convert.ToInt32("600", 8), (int)File.GetUnixFileMode(cli.NetrcPath));

        var whoami = (await cli.RunAsync("auth:whoami")).Succeeded();
        Assert.Equal(NuvemServer.AdminEmail, whoami.Stdout.Trim());
    }

    [Fact]
    public async Task A_wrong_password_fails_with_the_servers_message_and_stores_nothing()
    {
        using var cli = new NuvemCli(Server);
        var login = (await cli.LoginAsync(password: "not-the-password")).Failed();
        Assert.Contains("Invalid credentials", login.Stderr);
        Assert.False(File.Exists(cli.NetrcPath) && (await File.ReadAllTextAsync(cli.NetrcPath)).Contains("localhost"));
    }

    [Fact]
    public async Task Not_logged_in_and_bad_tokens_give_clear_errors_and_nonzero_exits()
    {
        using var cli = new NuvemCli(Server);
        Assert.Contains("Not logged in", (await cli.RunAsync("apps")).Failed().Stderr);

        cli.Environment["NUVEM_API_KEY"] = "nuvem_bogus_token_000000000000";
        Assert.Contains("Invalid credentials", (await cli.RunAsync("apps")).Failed().Stderr);
    }

    [Fact]
    public async Task Apps_create_list_info_and_destroy()
    {
        using var cli = new NuvemCli(Server);
        (await cli.LoginAsync()).Succeeded();
        var name = Unique("cli");

        var create = (await cli.RunAsync("apps:create", name)).Succeeded();
        Assert.Contains($"Creating {name}... done", create.Stdout);
        Assert.Contains($"http://{name}.localhost:{Server.RouterPort}/ | https://localhost:{Server.ApiPort}/{name}.git", create.Stdout);

        var list = (await cli.RunAsync("apps")).Succeeded();
        Assert.Contains($"=== {NuvemServer.AdminEmail} Apps", list.Stdout);
        Assert.Contains(name, list.Stdout);

        var json = JsonNode.Parse((await cli.RunAsync("apps", "--json")).Succeeded().Stdout)!.AsArray();
        Assert.Contains(json, a => a!["name"]!.GetValue<string>() == name);

        var info = (await cli.RunAsync("apps:info", "-a", name)).Succeeded();
        Assert.Contains($"=== {name}", info.Stdout);
        Assert.Contains(NuvemServer.AdminEmail, info.Stdout);
        Assert.Contains($"https://localhost:{Server.ApiPort}/{name}.git", info.Stdout);

        var refused = (await cli.RunAsync("apps:destroy", "-a", name)).Failed();
        Assert.Contains("--confirm", refused.Stderr);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await Server.Api().Get($"/apps/{name}")).Status);

        var destroy = (await cli.RunAsync("apps:destroy", "-a", name, "--confirm", name)).Succeeded();
        Assert.Contains($"Destroying {name}... done", destroy.Stdout);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await Server.Api().Get($"/apps/{name}")).Status);
        Assert.Contains("Couldn't find that app.", (await cli.RunAsync("apps:info", "-a", name)).Failed().Stderr);
    }

    [Fact]
    public async Task Config_set_get_unset_make_releases_the_cli_reports()
    {
        using var cli = new NuvemCli(Server);
        (await cli.LoginAsync()).Succeeded();
        var name = Unique("cfg");
        (await cli.RunAsync("apps:create", name)).Succeeded();

        var set = (await cli.RunAsync("config:set", "GREETING=hello world", "URL=postgres://u:p@h/db?x=1", "-a", name)).Succeeded();
        Assert.Contains("done, v2", set.Stdout);
        Assert.Equal("hello world", (await cli.RunAsync("config:get", "GREETING", "-a", name)).Succeeded().Stdout.TrimEnd('\n'));
        Assert.Equal("postgres://u:p@h/db?x=1", (await cli.RunAsync("config:get", "URL", "-a", name)).Succeeded().Stdout.TrimEnd('\n'));

        var config = (await cli.RunAsync("config", "-a", name)).Succeeded();
        Assert.Contains($"=== {name} Config Vars", config.Stdout);
        Assert.Matches(@"GREETING:\s+hello world", config.Stdout);

        var unset = (await cli.RunAsync("config:unset", "GREETING", "-a", name)).Succeeded();
        Assert.Contains("done, v3", unset.Stdout);

        var releases = (await cli.RunAsync("releases", "-a", name)).Succeeded();
        Assert.Contains("Current: v3", releases.Stdout);
        Assert.Contains("Remove GREETING config vars", releases.Stdout);
        Assert.Contains("Set GREETING, URL config vars", releases.Stdout);
        Assert.Contains("Initial release", releases.Stdout);

        var info = (await cli.RunAsync("releases:info", "v2", "-a", name)).Succeeded();
        Assert.Contains("=== Release v2", info.Stdout);
        Assert.Matches(@"GREETING:\s+hello world", info.Stdout);

        var bad = (await cli.RunAsync("config:set", "1BAD=x", "-a", name)).Failed();
        Assert.Contains("Invalid config var key", bad.Stderr);
        Assert.Contains("no-equals", (await cli.RunAsync("config:set", "no-equals", "-a", name)).Failed().Stderr);
    }

    [Fact]
    public async Task Ps_scale_shows_and_sets_the_formation_including_relative_changes()
    {
        using var cli = new NuvemCli(Server);
        (await cli.LoginAsync()).Succeeded();
        using var api = Server.Api();
        var name = await fixture.NewAppAsync(api, "scale");
        Assert.Contains("No process types", (await cli.RunAsync("ps:scale", "-a", name)).Succeeded().Stdout);

        var slug = await SlugBlobs.CreateAsync(Server, api, name, new { web = "./web", worker = "./worker" });
        await api.Post($"/apps/{name}/releases", new { slug });
        Assert.Equal("web=1:Basic worker=0:Basic", (await cli.RunAsync("ps:scale", "-a", name)).Succeeded().Stdout.Trim());

        var scaled = (await cli.RunAsync("ps:scale", "web=3", "worker+2:standard-2x", "-a", name)).Succeeded();
        Assert.Contains("now running web at 3:Basic, worker at 2:Standard-2X", scaled.Stdout);
        (await cli.RunAsync("ps:scale", "web-1", "-a", name)).Succeeded();
        Assert.Equal("web=2:Basic worker=2:Standard-2X", (await cli.RunAsync("ps:scale", "-a", name)).Succeeded().Stdout.Trim());

        Assert.Contains("No such process type clock", (await cli.RunAsync("ps:scale", "clock=1", "-a", name)).Failed().Stderr);
        Assert.Contains("No such dyno size", (await cli.RunAsync("ps:scale", "web=1:giant", "-a", name)).Failed().Stderr);
    }

    [Fact]
    public async Task Maintenance_on_and_off()
    {
        using var cli = new NuvemCli(Server);
        (await cli.LoginAsync()).Succeeded();
        var name = await fixture.NewAppAsync(Server.Api(), "maint");
        Assert.Equal("off", (await cli.RunAsync("maintenance", "-a", name)).Succeeded().Stdout.Trim());
        Assert.Contains($"Enabling maintenance mode for {name}... done", (await cli.RunAsync("maintenance:on", "-a", name)).Succeeded().Stdout);
        Assert.Equal("on", (await cli.RunAsync("maintenance", "-a", name)).Succeeded().Stdout.Trim());
        Assert.True((await Server.Api().Get($"/apps/{name}")).Json["maintenance"]!.GetValue<bool>());
        (await cli.RunAsync("maintenance:off", "-a", name)).Succeeded();
        Assert.Equal("off", (await cli.RunAsync("maintenance", "-a", name)).Succeeded().Stdout.Trim());
    }

    [Fact]
    public async Task Inside_a_git_repository_the_app_comes_from_the_nuvem_remote()
    {
        using var cli = new NuvemCli(Server);
        (await cli.LoginAsync()).Succeeded();
        Git(cli.WorkingDirectory, "init", "-q");
        var name = Unique("git");

        var create = (await cli.RunAsync("apps:create", name)).Succeeded();
        Assert.Contains("Git remote nuvem added", create.Stdout);
        Assert.Equal($"https://localhost:{Server.ApiPort}/{name}.git", Git(cli.WorkingDirectory, "remote", "get-url", "nuvem"));

        Assert.Contains("done, v2", (await cli.RunAsync("config:set", "FROM_GIT=yes")).Succeeded().Stdout);
        Assert.Equal("yes", (await Server.Api().Get($"/apps/{name}/config-vars")).Json["FROM_GIT"]!.GetValue<string>());

        (await cli.RunAsync("apps:destroy", "--confirm", name)).Succeeded();
        Assert.DoesNotContain("nuvem", Git(cli.WorkingDirectory, "remote"));

        // Outside any repository and without -a the CLI says what it needs.
        cli.WorkingDirectory = Directory.CreateTempSubdirectory("nuvem-cli-nogit-").FullName;
        Assert.Contains("No app specified", (await cli.RunAsync("config")).Failed().Stderr);
    }

    [Fact]
    public async Task Users_created_by_the_admin_see_only_their_own_apps()
    {
        using var admin = new NuvemCli(Server);
        (await admin.LoginAsync()).Succeeded();
        var email = $"{Unique("dana")}@nuvem.test";
        Assert.Contains($"Created user {email}", (await admin.RunAsync("users:create", email, "--password", "dana-password-1")).Succeeded().Stdout);
        var adminApp = Unique("adm");
        (await admin.RunAsync("apps:create", adminApp)).Succeeded();

        using var dana = new NuvemCli(Server);
        (await dana.LoginAsync(email, "dana-password-1")).Succeeded();
        var danaApp = Unique("dana");
        (await dana.RunAsync("apps:create", danaApp)).Succeeded();
        var list = (await dana.RunAsync("apps")).Succeeded().Stdout;
        Assert.Contains(danaApp, list);
        Assert.DoesNotContain(adminApp, list);
        Assert.Contains("Couldn't find that app.", (await dana.RunAsync("config", "-a", adminApp)).Failed().Stderr);
        Assert.Contains("admin", (await dana.RunAsync("users:create", "x@nuvem.test", "--password", "long-enough")).Failed().Stderr);
    }

    [Fact]
    public async Task Auth_password_changes_the_password_after_checking_the_current_one()
    {
        using var admin = new NuvemCli(Server);
        (await admin.LoginAsync()).Succeeded();
        var email = $"{Unique("erin")}@nuvem.test";
        (await admin.RunAsync("users:create", email, "--password", "first-password")).Succeeded();

        using var erin = new NuvemCli(Server);
        (await erin.LoginAsync(email, "first-password")).Succeeded();
        Assert.Contains("current password is not correct", (await erin.RunWithInputAsync("wrong-one\nsecond-password\nsecond-password\n", "auth:password")).Failed().Stderr);
        Assert.Contains("do not match", (await erin.RunWithInputAsync("first-password\nsecond-password\nother\n", "auth:password")).Failed().Stderr);
        Assert.Contains("at least 8", (await erin.RunWithInputAsync("first-password\nshort\nshort\n", "auth:password")).Failed().Stderr);
        Assert.Contains("Password changed.", (await erin.RunWithInputAsync("first-password\nsecond-password\nsecond-password\n", "auth:password")).Succeeded().Stdout);

        using var again = new NuvemCli(Server);
        (await again.LoginAsync(email, "first-password")).Failed();
        (await again.LoginAsync(email, "second-password")).Succeeded();
        Assert.Equal(email, (await erin.RunAsync("auth:whoami")).Succeeded().Stdout.Trim()); // old token still valid
    }

    [Fact]
    public async Task Logout_revokes_the_token()
    {
        using var cli = new NuvemCli(Server);
        (await cli.LoginAsync()).Succeeded();
        var token = (await cli.RunAsync("auth:token")).Succeeded().Stdout.Trim();
        (await cli.RunAsync("logout")).Succeeded();
        Assert.DoesNotContain($"localhost:{Server.ApiPort}", await File.ReadAllTextAsync(cli.NetrcPath));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await Server.Api(token).Get("/account")).Status);
    }

    [Fact]
    public async Task Unknown_commands_fail()
    {
        using var cli = new NuvemCli(Server);
        (await cli.RunAsync("no:such-command")).Failed();
        (await cli.RunAsync("apps", "--no-such-flag")).Failed();
    }

    private static string Git(string directory, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"git {string.Join(' ', args)}: {process.StandardError.ReadToEnd()}");
        return output.Trim();
    }
}
