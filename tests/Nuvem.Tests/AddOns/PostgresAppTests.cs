using System.Net;
using System.Text.RegularExpressions;
using Npgsql;
using Nuvem.Tests.AddOns.Postgres;
using Nuvem.Tests.Dynos;
using Nuvem.Tests.HerokuCli;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.AddOns;

/// <summary>
/// Issue 12's must-show, end to end with the unmodified heroku CLI: <c>addons:create heroku-postgresql:essential-0</c>
/// gives the app <c>DATABASE_URL</c>; a Node app (<c>pg</c> from npm) migrates in its release phase and reads and writes
/// rows through the router; <c>pg:psql -c</c> runs the local psql against it; one app's credentials cannot open another
/// app's database; rows and service survive a platform restart and a <c>kill -9</c> of nuvemd; <c>addons:destroy</c>
/// removes the config var and the database after a final dump.
/// </summary>
public sealed class PostgresAppTests(HerokuCliFixture fixture) : IClassFixture<HerokuCliFixture>
{
    private NuvemServer Server => fixture.Server;
    private HerokuCliSession Cli => fixture.Cli;

    private static string Fixture(string name) => Path.Combine(Repo.Root, "tests", "Nuvem.Tests", "Fixtures", "apps", name);

    [Fact]
    public async Task A_node_app_migrates_in_its_release_phase_and_keeps_its_rows_through_restarts_until_the_add_on_goes()
    {
        using var api = Server.Api();
        var app = $"pgapp-{Guid.NewGuid().ToString("N")[..8]}";
        using var source = new GitWorkspace(Server, copyFrom: Fixture("node-postgres"));
        source.Commit("notes");
        (await Cli.RunInAsync(source.Directory, "apps:create", app)).Succeeded();

        var created = (await Cli.RunInAsync(source.Directory, "addons:create", "heroku-postgresql:essential-0", "--wait")).Succeeded();
        var addon = Regex.Match(created.Output, @"\b(postgresql-[a-z]+-\d{5})\b").Groups[1].Value;
        Assert.Matches($@"Created {addon} as DATABASE_URL", created.Output);
        var url = (await Cli.RunInAsync(source.Directory, "config:get", "DATABASE_URL")).Succeeded().Stdout.Trim();
        Assert.StartsWith("postgres://", url);
        var config = (await api.Get($"/apps/{app}/config-vars")).Json.AsObject();
        Assert.Contains(config, kv => Regex.IsMatch(kv.Key, "^HEROKU_POSTGRESQL_[A-Z]+_URL$") && kv.Value!.GetValue<string>() == url);

        // The release phase sees DATABASE_URL and creates the table before any web dyno of the release runs.
        var push = await Cli.GitAsync(source.Directory, "push", "heroku", "main");
        Assert.True(push.ExitCode == 0, $"git push failed:\n{push.Output}");
        Assert.Contains("migrated: notes table ready (0 rows)", push.Output);

        await DynoApps.Eventually(() => Router(app, HttpMethod.Get, "/notes"), r => r.Status == HttpStatusCode.OK, TimeSpan.FromSeconds(60),
            "the web dyno of the new release answering");
        Assert.Equal(HttpStatusCode.Created, (await Router(app, HttpMethod.Post, "/notes", "first note")).Status);
        Assert.Equal(HttpStatusCode.Created, (await Router(app, HttpMethod.Post, "/notes", "second note")).Status);
        Assert.Equal("[\"first note\",\"second note\"]", (await Router(app, HttpMethod.Get, "/notes")).Body);

        // pg:psql resolves the attachment through the Platform API and runs the machine's psql with its URL.
        var psql = (await Cli.RunInAsync(source.Directory, "pg:psql", "-c", "SELECT count(*) AS notes FROM notes")).Succeeded();
        Assert.Matches(@"notes\s*\n-+\s*\n\s*2\s*\n", psql.Stdout);

        // Another app's database is closed to this app's role, and the other way round.
        var other = $"pgother-{Guid.NewGuid().ToString("N")[..8]}";
        (await Cli.RunAsync("apps:create", other)).Succeeded();
        (await Cli.RunAsync("addons:create", "heroku-postgresql", "-a", other, "--wait")).Succeeded();
        var otherUrl = (await Cli.RunAsync("config:get", "DATABASE_URL", "-a", other)).Succeeded().Stdout.Trim();
        var otherDatabase = new Uri(otherUrl).AbsolutePath.TrimStart('/');
        await Assert.ThrowsAsync<PostgresException>(() => OpenAsync(url, database: otherDatabase));
        await Assert.ThrowsAsync<PostgresException>(() => OpenAsync(otherUrl, database: new Uri(url).AbsolutePath.TrimStart('/')));
        await using (var own = await OpenAsync(url))
        await using (var count = new NpgsqlCommand("SELECT count(*) FROM notes", own))
            Assert.Equal(2L, await count.ExecuteScalarAsync());

        // The platform goes away, gracefully (its dynos stop and start again) and then with kill -9 (they carry on): the
        // database keeps running through both.
        await Server.StopAsync(TimeSpan.FromSeconds(60));
        await Server.StartAsync();
        await DynoApps.Eventually(() => Router(app, HttpMethod.Get, "/notes"), r => r.Status == HttpStatusCode.OK, TimeSpan.FromSeconds(60),
            "the web dyno started again after a graceful restart");
        Assert.Equal(HttpStatusCode.Created, (await Router(app, HttpMethod.Post, "/notes", "after a restart")).Status);
        Server.Kill();
        await Server.StartAsync();
        var afterKill = await DynoApps.Eventually(() => Router(app, HttpMethod.Get, "/notes"), r => r.Status == HttpStatusCode.OK,
            TimeSpan.FromSeconds(60), "the app answering after kill -9");
        Assert.Equal("[\"first note\",\"second note\",\"after a restart\"]", afterKill.Body);

        // Destroying the add-on unsets its config vars (a release) and drops the database after a final dump.
        var destroyed = (await Cli.RunInAsync(source.Directory, "addons:destroy", addon, "--confirm", app)).Succeeded();
        Assert.Contains($"Destroying {addon} on", destroyed.Output);
        config = (await api.Get($"/apps/{app}/config-vars")).Json.AsObject();
        Assert.DoesNotContain(config, kv => kv.Key == "DATABASE_URL" || kv.Key.StartsWith("HEROKU_POSTGRESQL_", StringComparison.Ordinal));
        Assert.StartsWith($"Detach DATABASE", (await api.Get($"/apps/{app}/releases")).Array[^1]!["description"]!.GetValue<string>());
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => OpenAsync(url));
        var database = new Uri(url).AbsolutePath.TrimStart('/');
        var dumps = Directory.GetFiles(Path.Combine(Server.DataDir, "addons", "postgres", "backups"), $"{database}.final.*.dump");
        Assert.Single(dumps);
        Assert.True(new FileInfo(dumps[0]).Length > 0);
        Assert.Empty(Cli.Proxy.Attempts);
    }

    private static async Task<NpgsqlConnection> OpenAsync(string url, string? database = null)
    {
        var connection = new NpgsqlConnection(TestCluster.FromUrl(url, SslMode.Require, database).ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private async Task<(HttpStatusCode Status, string Body)> Router(string app, HttpMethod method, string path, string? body = null)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(method, $"http://127.0.0.1:{Server.RouterPort}{path}");
        request.Headers.Host = $"{app}.localhost";
        if (body is not null) request.Content = new StringContent(body);
        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
