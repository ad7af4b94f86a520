using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Npgsql;
using Nuvem.Platform.AddOns.Postgres;
using Nuvem.Tests.AddOns.Postgres;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.HerokuCli;

/// <summary>
/// Issue 12's backups with the unmodified heroku CLI 11.10.0 against a real heroku-postgresql add-on: capture (verified
/// by a test restore), list, info, more writes, restore --confirm brings back exactly the captured rows, download over
/// the signed URL gives a pg_restore-able file, schedule/schedules/unschedule, delete; an outside URL is refused.
/// </summary>
public sealed class HerokuCliPgBackupsTests(HerokuCliFixture fixture) : IClassFixture<HerokuCliFixture>
{
    private NuvemServer Server => fixture.Server;

    [Fact]
    public async Task Capture_restore_download_schedule_and_delete_through_the_heroku_cli()
    {
        var app = $"pgbk-{Guid.NewGuid().ToString("N")[..8]}";
        (await Data("apps:create", app)).Succeeded();
        (await Data("addons:create", "heroku-postgresql:essential-0", "-a", app, "--wait")).Succeeded();
        var url = (await Data("config:get", "DATABASE_URL", "-a", app)).Succeeded().Stdout.Trim();
        await Sql(url, "CREATE TABLE notes (id serial PRIMARY KEY, body text); INSERT INTO notes (body) VALUES ('kept one'), ('kept two');");

        var capture = (await Data("pg:backups:capture", "-a", app)).Succeeded();
        Assert.Contains("Backing up", capture.Output);
        Assert.Contains("b001", capture.Output);
        var list = (await Data("pg:backups", "-a", app)).Succeeded().Stdout;
        Assert.Matches(@"b001\s+\S+ \S+ \+0000\s+Completed ", list);
        var info = (await Data("pg:backups:info", "b001", "-a", app)).Succeeded().Stdout;
        Assert.Contains("verified: test restore matched: 1 tables, 2 rows", info);
        Assert.Matches(@"Type:\s+Manual", info);

        await Sql(url, "INSERT INTO notes (body) VALUES ('after the backup'); DELETE FROM notes WHERE id = 1; CREATE TABLE later (x int);");
        (await Data("pg:backups:restore", "b001", "DATABASE_URL", "-a", app, "--confirm", app)).Succeeded();
        Assert.Equal("kept one|kept two", await Scalar(url, "SELECT string_agg(body, '|' ORDER BY id) FROM notes"));
        Assert.Equal("False", await Scalar(url, "SELECT to_regclass('public.later') IS NOT NULL"));
        Assert.Equal("3", await Scalar(url, "INSERT INTO notes (body) VALUES ('the app writes again') RETURNING id"));
        Assert.Matches(@"r002\s+\S+ \S+ \+0000\s+Completed ", (await Data("pg:backups", "-a", app)).Succeeded().Stdout);

        // download: the CLI asks for a public URL (signed, time-limited, served by nuvemd) and fetches it without a token.
        var directory = Directory.CreateTempSubdirectory("nuvem-pgbk-").FullName;
        try
        {
            var file = Path.Combine(directory, "b001.dump");
            // The CLI's download uses HTTPS_PROXY without looking at NO_PROXY (lib/pg/download.js): a user behind a proxy
            // tunnels to nuvemd through it; here, where the proxy is a trap that forwards nothing, it runs without one.
            (await Data(["pg:backups:download", "b001", "-a", app, "--output", file], withoutProxy: true)).Succeeded();
            var listing = await Run(PostgresBinaries.Find()!.PgRestore, "--list", file);
            Assert.True(listing.ExitCode == 0, listing.Output);
            Assert.Contains("TABLE DATA public notes", listing.Output);
        }
        finally { Directory.Delete(directory, recursive: true); }
        var signed = (await Data("pg:backups:url", "b001", "-a", app)).Succeeded().Stdout.Trim();
        Assert.Matches(@"^https://[^/]+/data/backups/[0-9a-f-]{36}\?expires=\d+&token=[0-9a-f]{40}$", signed);
        using var plain = Server.CreateClient();
        plain.DefaultRequestHeaders.Authorization = null;
        Assert.Equal(HttpStatusCode.OK, (await plain.GetAsync(signed)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await plain.GetAsync(signed[..^1] + (signed[^1] == '0' ? '1' : '0'))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await plain.GetAsync(Regex.Replace(signed, @"expires=\d+", "expires=9999999999"))).StatusCode);

        // The platform's own signed URL is a backup_url a restore takes (as Heroku restores from a URL).
        (await Data("pg:backups:restore", signed, "DATABASE_URL", "-a", app, "--confirm", app)).Succeeded();
        Assert.Equal("kept one|kept two", await Scalar(url, "SELECT string_agg(body, '|' ORDER BY id) FROM notes"));

        // A dump from elsewhere is not fetched: the refusal says what to do instead.
        var outside = await Data("pg:backups:restore", "https://example.com/some.dump", "DATABASE_URL", "-a", app, "--confirm", app);
        Assert.NotEqual(0, outside.ExitCode);
        Assert.Contains("Restoring from a URL outside this platform is not supported", Regex.Replace(outside.Output, @"\s+", " "));

        (await Data("pg:backups:schedule", "DATABASE_URL", "--at", "02:00 Europe/Berlin", "-a", app)).Succeeded();
        Assert.Contains("DATABASE_URL: daily at 2:00 Europe/Berlin", (await Data("pg:backups:schedules", "-a", app)).Succeeded().Stdout);
        (await Data("pg:backups:unschedule", "DATABASE_URL", "-a", app)).Succeeded();
        Assert.Contains("No backup schedules found", (await Data("pg:backups:schedules", "-a", app)).Succeeded().Output);

        (await Data("pg:backups:delete", "b001", "-a", app, "--confirm", app)).Succeeded();
        var after = (await Data("pg:backups", "-a", app)).Succeeded().Stdout;
        Assert.DoesNotContain("b001", after);
        Assert.Contains("No backups. Capture one", after);
        (await Data("apps:destroy", app, "--confirm", app)).Succeeded();
        Assert.Empty(fixture.Proxy.Attempts); // nothing went to api.data.heroku.com or anywhere else
    }

    /// <summary>
    /// <c>heroku ARGS</c> in the fixture's session (which points <c>HEROKU_DATA_HOST</c> at the platform), optionally without
    /// the proxy trap: the CLI's download code reads HTTPS_PROXY and ignores NO_PROXY.
    /// </summary>
    private Task<HerokuCliSession.Result> Data(params string[] args) => Data(args, withoutProxy: false);

    private async Task<HerokuCliSession.Result> Data(string[] args, bool withoutProxy)
    {
        var start = new ProcessStartInfo(fixture.Cli.Binary)
        {
            WorkingDirectory = fixture.Cli.Home, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        fixture.Cli.Configure(start);
        if (withoutProxy)
            foreach (var proxy in new[] { "HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy" }) start.Environment.Remove(proxy);
        var (code, stdout, stderr) = await Run(start, TimeSpan.FromMinutes(3));
        return new HerokuCliSession.Result(string.Join(' ', args), code, HerokuCliSession.Plain(stdout), HerokuCliSession.Plain(stderr));
    }

    private static async Task<HerokuCliSession.Result> Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        var (code, stdout, stderr) = await Run(start, TimeSpan.FromMinutes(1));
        return new HerokuCliSession.Result(file, code, stdout, stderr);
    }

    private static async Task<(int, string, string)> Run(ProcessStartInfo start, TimeSpan timeout)
    {
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try { await process.WaitForExitAsync(cancel.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{start.FileName} {string.Join(' ', start.ArgumentList)}` did not finish:\n{await stdout}\n{await stderr}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    private static async Task Sql(string url, string sql)
    {
        await using var connection = new NpgsqlConnection(TestCluster.FromUrl(url, SslMode.Require).ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string?> Scalar(string url, string sql)
    {
        await using var connection = new NpgsqlConnection(TestCluster.FromUrl(url, SslMode.Require).ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (await command.ExecuteScalarAsync())?.ToString();
    }
}
