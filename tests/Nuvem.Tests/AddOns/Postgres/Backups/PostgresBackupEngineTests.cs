using Npgsql;
using Nuvem.Platform.AddOns.Postgres.Backups;

namespace Nuvem.Tests.AddOns.Postgres.Backups;

/// <summary>
/// Backups on a real cluster: a capture is verified by a real test restore; more writes, then a restore brings back
/// exactly the captured rows with the app's role owning everything; a corrupt dump is not verified.
/// </summary>
public sealed class PostgresBackupEngineTests
{
    [Fact]
    public async Task Capture_is_verified_and_a_restore_after_more_writes_brings_back_exactly_the_captured_rows()
    {
        await using var cluster = new TestCluster();
        var added = await cluster.ProvisionAsync();
        var (url, database) = (added.Config["URL"], added.ProviderId);
        await Sql(cluster, url, """
            CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL);
            INSERT INTO items (name) VALUES ('one'), ('two'), ('three');
            CREATE SCHEMA app; CREATE TABLE app.events (at timestamptz DEFAULT now(), what text);
            INSERT INTO app.events (what) SELECT 'e' || g FROM generate_series(1, 250) g;
            CREATE TABLE empty_one (x int);
            """);
        var engine = new PostgresBackupEngine(cluster.Cluster);
        var log = new List<string>();

        var dump = await engine.DumpAsync(database, "b001.dump", log.Add, CancellationToken.None);
        Assert.Equal(new Dictionary<string, long> { ["app.events"] = 250, ["public.empty_one"] = 0, ["public.items"] = 3 }, dump.Counts);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dump.Path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(dump.Path)!));
        Assert.Equal(Path.Combine(cluster.Cluster.Layout.Backups, database, "b001.dump"), dump.Path);
        var verification = await engine.VerifyAsync(dump.Path, dump.Counts, database, CancellationToken.None);
        Assert.True(verification.Verified, verification.Summary);
        Assert.Equal("test restore matched: 3 tables, 253 rows", verification.Summary);
        Assert.Empty(await engine.Store.ScratchDatabasesAsync(PostgresBackupEngine.ScratchPrefix, CancellationToken.None));

        // More writes: rows changed, added and removed, a new table, a dropped one.
        await Sql(cluster, url, """
            INSERT INTO items (name) VALUES ('four'), ('five'); DELETE FROM items WHERE name = 'one'; UPDATE items SET name = 'TWO' WHERE name = 'two';
            CREATE TABLE later (v text); INSERT INTO later VALUES ('not in the backup');
            DROP TABLE empty_one; DELETE FROM app.events WHERE what LIKE 'e1%';
            """);
        // An open session of the app is ended by the restore (its role may not log in meanwhile).
        await using var open = await cluster.OpenAsync(url);
        await engine.RestoreAsync(dump.Path, database, log.Add, CancellationToken.None);

        Assert.Equal("one,two,three", await Scalar(cluster, url, "SELECT string_agg(name, ',' ORDER BY id) FROM items"));
        Assert.Equal("250", await Scalar(cluster, url, "SELECT count(*)::text FROM app.events"));
        Assert.Equal("0", await Scalar(cluster, url, "SELECT count(*)::text FROM empty_one"));
        Assert.Equal("f", await Scalar(cluster, url, "SELECT (to_regclass('public.later') IS NOT NULL)::text::char"));
        // The app's role owns everything and keeps working: the sequence continues after the restored rows.
        Assert.Equal(0, await engine.Store.ForeignOwnedAsync(database, CancellationToken.None));
        Assert.Equal("4", await Scalar(cluster, url, "INSERT INTO items (name) VALUES ('after') RETURNING id::text"));
        await Sql(cluster, url, "CREATE TABLE mine (v int); DROP TABLE app.events;");
        await Assert.ThrowsAnyAsync<Exception>(() => Scalar(cluster, url, "SELECT 1", open));
    }

    [Fact]
    public async Task A_corrupt_or_truncated_dump_or_one_with_other_rows_is_not_verified()
    {
        await using var cluster = new TestCluster();
        var added = await cluster.ProvisionAsync();
        var database = added.ProviderId;
        await Sql(cluster, added.Config["URL"], "CREATE TABLE t (id int, payload text); INSERT INTO t SELECT g, repeat(md5(g::text), 20) FROM generate_series(1, 5000) g;");
        var engine = new PostgresBackupEngine(cluster.Cluster);
        var dump = await engine.DumpAsync(added.ProviderId, "b001.dump", _ => { }, CancellationToken.None);
        Assert.True((await engine.VerifyAsync(dump.Path, dump.Counts, database, CancellationToken.None)).Verified);

        var bytes = await File.ReadAllBytesAsync(dump.Path);
        var truncated = dump.Path + ".truncated";
        await File.WriteAllBytesAsync(truncated, bytes[..(bytes.Length / 2)]);
        var corrupt = dump.Path + ".corrupt";
        var flipped = (byte[])bytes.Clone();
        for (var i = bytes.Length / 3; i < bytes.Length / 3 + 64; i++) flipped[i] ^= 0x5A;
        await File.WriteAllBytesAsync(corrupt, flipped);

        foreach (var bad in new[] { truncated, corrupt })
        {
            var result = await engine.VerifyAsync(bad, dump.Counts, database, CancellationToken.None);
            Assert.False(result.Verified, $"{Path.GetFileName(bad)}: {result.Summary}");
        }
        // A dump that restores but does not hold what the snapshot held (here: the counts say otherwise).
        var other = await engine.VerifyAsync(dump.Path, new Dictionary<string, long> { ["public.t"] = 5001 }, database, CancellationToken.None);
        Assert.False(other.Verified);
        Assert.Contains("public.t has 5000 rows, not 5001", other.Summary);
        Assert.Empty(await engine.Store.ScratchDatabasesAsync(PostgresBackupEngine.ScratchPrefix, CancellationToken.None));
    }

    [Fact]
    public async Task The_test_restore_runs_the_tenants_code_with_the_tenants_rights_only()
    {
        await using var cluster = new TestCluster();
        var added = await cluster.ProvisionAsync();
        var (url, database) = (added.Config["URL"], added.ProviderId);
        // A CHECK constraint runs its function for every row loaded: as the superuser, this one would make the tenant one.
        await Sql(cluster, url, $$"""
            CREATE FUNCTION sneaky() RETURNS boolean LANGUAGE plpgsql AS $f$
            BEGIN
              IF current_user = 'postgres' THEN
                EXECUTE 'ALTER ROLE {{database}} SUPERUSER';
              END IF;
              RETURN true;
            END $f$;
            CREATE TABLE guarded (v int CHECK (sneaky()));
            INSERT INTO guarded VALUES (1), (2);
            """);
        var engine = new PostgresBackupEngine(cluster.Cluster);
        var dump = await engine.DumpAsync(database, "b001.dump", _ => { }, CancellationToken.None);
        var verification = await engine.VerifyAsync(dump.Path, dump.Counts, database, CancellationToken.None);
        Assert.True(verification.Verified, verification.Summary);
        await engine.RestoreAsync(dump.Path, database, _ => { }, CancellationToken.None);
        Assert.Equal("2", await Scalar(cluster, url, "SELECT count(*) FROM guarded"));
        Assert.Equal("False", await Scalar(cluster, url, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"));
    }

    private static async Task Sql(TestCluster cluster, string url, string sql)
    {
        await using var connection = await cluster.OpenAsync(url);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string?> Scalar(TestCluster cluster, string url, string sql, NpgsqlConnection? on = null)
    {
        await using var own = on is null ? await cluster.OpenAsync(url) : null;
        await using var command = new NpgsqlCommand(sql, on ?? own);
        return (await command.ExecuteScalarAsync())?.ToString();
    }
}
