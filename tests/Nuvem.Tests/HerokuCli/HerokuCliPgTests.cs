using System.Net;
using System.Text.RegularExpressions;
using Npgsql;
using Nuvem.Tests.AddOns.Postgres;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.HerokuCli;

/// <summary>
/// Issue 12: the heroku CLI 11.10.0, unmodified, runs the <c>pg:*</c> commands other than backups against a real nuvemd
/// and its real PostgreSQL cluster, with <c>HEROKU_DATA_HOST</c> at the platform: <c>pg:info</c> (data API),
/// <c>pg:psql -c</c>, <c>pg:ps</c> and <c>pg:kill</c> (the machine's psql with the app's URL), <c>pg:killall</c>,
/// <c>pg:credentials</c> and <c>pg:credentials:url</c>, <c>pg:reset --confirm</c>. Another account sees none of it.
/// </summary>
public sealed class HerokuCliPgTests(HerokuCliFixture fixture) : IClassFixture<HerokuCliFixture>
{
    private NuvemServer Server => fixture.Server;
    private HerokuCliSession Cli => fixture.Cli;

    [Fact]
    public async Task Pg_info_psql_ps_kill_credentials_and_reset_work_on_a_heroku_postgresql_add_on()
    {
        using var api = Server.Api();
        var app = $"pgdata-{Guid.NewGuid().ToString("N")[..8]}";
        (await Cli.RunAsync("apps:create", app)).Succeeded();
        var created = (await Cli.RunAsync("addons:create", "heroku-postgresql:essential-0", "-a", app, "--wait")).Succeeded();
        var addon = Regex.Match(created.Output, @"\b(postgresql-[a-z]+-\d{5})\b").Groups[1].Value;
        var url = (await Cli.RunAsync("config:get", "DATABASE_URL", "-a", app)).Succeeded().Stdout.Trim();

        (await Cli.RunAsync("pg:psql", "-a", app, "-c", "CREATE TABLE notes (body text); INSERT INTO notes VALUES ('one'), ('two');")).Succeeded();
        var count = (await Cli.RunAsync("pg:psql", "-a", app, "-c", "SELECT count(*) AS notes FROM notes")).Succeeded();
        Assert.Matches(@"notes\s*\n-+\s*\n\s*2\s*\n", count.Stdout);

        var info = (await Cli.RunAsync("pg:info", "-a", app)).Succeeded().Output;
        Assert.Matches(@"=== (HEROKU_POSTGRESQL_[A-Z]+_URL, )?DATABASE_URL", info); // the add-on's attachment names
        Assert.Matches(@"Plan:\s+Essential 0\n", info);
        Assert.Matches(@"Status:\s+Available\n", info);
        Assert.Matches(@"Connections:\s+\d+/20\n", info);
        Assert.Matches(@"PG Version:\s+\d+\.\d+\n", info);
        Assert.Matches(@"Created:\s+\d{4}-\d\d-\d\d \d\d:\d\d\n", info);
        Assert.Matches(@"Data Size:\s+[\d.]+ MB / 1 GB \([\d.]+%\) \(In compliance\)\n", info);
        Assert.Matches(@"Tables:\s+1\n", info);
        Assert.Matches(@"Fork/Follow:\s+Unsupported\n", info);
        Assert.Matches($@"Add-on:\s+{addon}\n", info);
        // By the add-on's name, the CLI names the database by the config vars its resource_url matches (DATABASE_URL last).
        Assert.Matches(@"=== HEROKU_POSTGRESQL_[A-Z]+_URL, DATABASE_URL\n", (await Cli.RunAsync("pg:info", addon, "-a", app)).Succeeded().Output);

        var credentials = (await Cli.RunAsync("pg:credentials:url", "-a", app)).Succeeded().Output;
        var parts = new Uri(url);
        Assert.Contains($"Connection information for default credential.", credentials);
        Assert.Contains($"host={parts.Host} port={parts.Port} user={parts.UserInfo.Split(':')[0]} password={Uri.UnescapeDataString(parts.UserInfo.Split(':')[1])} sslmode=require", credentials);
        Assert.Contains(url, credentials);
        Assert.Matches(@"default\s+active", (await Cli.RunAsync("pg:credentials", "-a", app)).Succeeded().Output);

        // A long query of the app's role shows in pg:ps; pg:kill --force ends it.
        await using (var busy = new NpgsqlConnection(TestCluster.FromUrl(url, SslMode.Require).ConnectionString))
        {
            await busy.OpenAsync();
            await using var sleep = new NpgsqlCommand("SELECT pg_sleep(60) AS nuvem_sleep_marker", busy) { CommandTimeout = 90 };
            var running = sleep.ExecuteScalarAsync();
            var ps = await Eventually(() => Cli.RunAsync("pg:ps", "-a", app), r => r.Stdout.Contains("nuvem_sleep_marker"));
            var pid = Regex.Match(ps.Stdout, @"^\s*(\d+)\s*\|\s*active.*nuvem_sleep_marker", RegexOptions.Multiline).Groups[1].Value;
            Assert.False(string.IsNullOrEmpty(pid), ps.Stdout);
            var kill = (await Cli.RunAsync("pg:kill", pid, "--force", "-a", app)).Succeeded();
            Assert.Matches(@"pg_terminate_backend\s*\n-+\s*\n\s*t\s*\n", kill.Stdout);
            await Assert.ThrowsAnyAsync<Exception>(() => running.WaitAsync(TimeSpan.FromSeconds(30)));
        }

        // pg:killall ends every session of the database (the data API's connection_reset).
        await using (var idle = new NpgsqlConnection(TestCluster.FromUrl(url, SslMode.Require).ConnectionString))
        {
            await idle.OpenAsync();
            (await Cli.RunAsync("pg:killall", "-a", app)).Succeeded();
            await using var after = new NpgsqlCommand("SELECT 1", idle);
            await Assert.ThrowsAnyAsync<Exception>(() => after.ExecuteScalarAsync());
        }

        // The other diagnostics are psql queries with the app's URL too; pg:wait asks the data API.
        foreach (var diagnostic in new[] { "pg:locks", "pg:blocking", "pg:long-running-queries", "pg:user-connections", "pg:wait" })
            (await Cli.RunAsync(diagnostic, "-a", app)).Succeeded();

        // pg:reset empties the database; the role and its URL stay.
        var reset = (await Cli.RunAsync("pg:reset", "-a", app, "--confirm", app)).Succeeded();
        Assert.Contains($"Resetting {addon}... done", reset.Output);
        var tables = (await Cli.RunAsync("pg:psql", "-a", app, "-c", "SELECT count(*) AS tables FROM pg_tables WHERE schemaname = 'public'")).Succeeded();
        Assert.Matches(@"tables\s*\n-+\s*\n\s*0\s*\n", tables.Stdout);
        Assert.Equal(url, (await Cli.RunAsync("config:get", "DATABASE_URL", "-a", app)).Succeeded().Stdout.Trim());
        (await Cli.RunAsync("pg:psql", "-a", app, "-c", "CREATE TABLE again (id int)")).Succeeded(); // the role owns the new database
        Assert.Matches(@"Tables:\s+1\n", (await Cli.RunAsync("pg:info", "-a", app)).Succeeded().Output);

        // --extensions: trusted ones are made as the database's own role; others are refused.
        (await Cli.RunAsync("pg:reset", "-a", app, "--confirm", app, "--extensions", "hstore,citext")).Succeeded();
        var extensions = (await Cli.RunAsync("pg:psql", "-a", app, "-c", "SELECT string_agg(extname, ',' ORDER BY extname) AS made FROM pg_extension")).Succeeded();
        Assert.Contains("citext,hstore,plpgsql", extensions.Stdout);
        var untrusted = await Cli.RunAsync("pg:reset", "-a", app, "--confirm", app, "--extensions", "pg_stat_statements");
        Assert.NotEqual(0, untrusted.ExitCode);
        Assert.Contains("Could not install the extension pg_stat_statements", untrusted.Output);
        Assert.Contains("citext,hstore,plpgsql", (await Cli.RunAsync("pg:psql", "-a", app, "-c", "SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension")).Succeeded().Stdout);
        Assert.Empty(Cli.Proxy.Attempts);

        await Another_account_sees_none_of_it(api, app, addon);
    }

    [Fact]
    public async Task Pg_reset_makes_a_database_over_its_size_writable_again()
    {
        var app = $"pgfull-{Guid.NewGuid().ToString("N")[..8]}";
        (await Cli.RunAsync("apps:create", app)).Succeeded();
        (await Cli.RunAsync("addons:create", "heroku-postgresql:essential-0", "-a", app, "--wait")).Succeeded();
        var url = (await Cli.RunAsync("config:get", "DATABASE_URL", "-a", app)).Succeeded().Stdout.Trim();
        var name = new Uri(url).AbsolutePath.TrimStart('/');
        (await Cli.RunAsync("pg:psql", "-a", app, "-c", "CREATE TABLE big (body text)")).Succeeded();

        // What the size watch does to a database over its plan's size, done here by hand as the cluster's superuser.
        var admin = new NpgsqlConnectionStringBuilder
        {
            Host = Path.Combine(Server.DataDir, "addons", "postgres", "run"), Port = Server.PostgresPort, Username = "postgres", Database = "postgres",
        }.ConnectionString;
        await new Nuvem.Platform.AddOns.Postgres.PostgresQuotaStore(admin).RevokeWritesAsync(name, CancellationToken.None);
        await using (var source = NpgsqlDataSource.Create(admin))
            await new Nuvem.Platform.AddOns.Postgres.PostgresAdminStore(source).SetReadOnlyAsync(name, true, CancellationToken.None);
        await using var check = new NpgsqlConnection(admin);
        await check.OpenAsync();
        await using var owner = new NpgsqlCommand("SELECT count(*) FROM pg_roles WHERE rolname = $1", check) { Parameters = { new() { Value = name + "_owner" } } };
        Assert.Equal(1L, await owner.ExecuteScalarAsync()); // its tables belong to the platform's NOLOGIN role now

        (await Cli.RunAsync("pg:reset", "-a", app, "--confirm", app)).Succeeded();
        (await Cli.RunAsync("pg:psql", "-a", app, "-c", "CREATE TABLE again (id int); INSERT INTO again VALUES (1)")).Succeeded();
        Assert.Matches(@"Data Size:.*\(In compliance\)", (await Cli.RunAsync("pg:info", "-a", app)).Succeeded().Output);
        Assert.Equal(0L, await owner.ExecuteScalarAsync());
    }

    private async Task Another_account_sees_none_of_it(ApiClient admin, string app, string addon)
    {
        var email = $"pg-{Guid.NewGuid().ToString("N")[..8]}@nuvem.test";
        Assert.Equal(HttpStatusCode.Created, (await admin.Post("/users", new { email, password = "other-password-1" })).Status);
        using var other = new HerokuCliSession(Server, Cli.Binary, Cli.Proxy);
        (await other.LoginAsync(email, "other-password-1")).Succeeded();
        var refused = await other.RunAsync("pg:info", "-a", app);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.DoesNotContain("Essential 0", refused.Output);
        Assert.NotEqual(0, (await other.RunAsync("pg:reset", "-a", app, "--confirm", app)).ExitCode);

        // The data API itself, asked directly by the add-on's id or name with the other account's token: not found.
        var id = (await admin.Get($"/addons/{addon}")).Json["id"]!.GetValue<string>();
        using var anonymous = new ApiClient(Server.CreateClient());
        var login = await anonymous.Send(HttpMethod.Post, "/oauth/authorizations", new { description = "other" },
            r => r.Headers.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{email}:other-password-1"))));
        using var stranger = Server.Api(login.Json["access_token"]!["token"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Get($"/client/v11/databases/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Get($"/postgres/v0/databases/{addon}/credentials/default")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Send(HttpMethod.Put, $"/client/v11/databases/{id}/reset", new { })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Send(HttpMethod.Post, $"/client/v11/databases/{id}/connection_reset", null)).Status);
        Assert.Equal(HttpStatusCode.OK, (await admin.Get($"/client/v11/databases/{id}")).Status);
    }

    private static async Task<HerokuCliSession.Result> Eventually(Func<Task<HerokuCliSession.Result>> run, Func<HerokuCliSession.Result, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var result = (await run()).Succeeded();
            if (done(result) || DateTime.UtcNow > deadline) return result;
            await Task.Delay(500);
        }
    }
}
