using Npgsql;
using Nuvem.Platform.AddOns.Postgres;

namespace Nuvem.Tests.AddOns.Postgres;

/// <summary>Over its plan's size a database refuses writes (and its role cannot give them back to itself); under it, writes return.</summary>
public sealed class PostgresSizeLimitTests
{
    [Fact]
    public async Task Over_the_size_limit_inserts_and_updates_are_refused_reads_and_deletes_work_and_back_under_writes_return()
    {
        await using var cluster = new TestCluster();
        var added = await cluster.ProvisionAsync();
        var url = added.Config["URL"];
        await using (var connection = await cluster.OpenAsync(url))
            await Exec(connection, "CREATE TABLE items (id serial PRIMARY KEY, v text); INSERT INTO items (v) VALUES ('a'), ('b')");

        var limit = 1L; // every database is over one byte
        var watch = new PostgresSizeWatch(cluster.Cluster, limitOf: _ => limit);
        Assert.Equal([(added.ProviderId, true)], await watch.CheckAsync(CancellationToken.None));
        Assert.Empty(await watch.CheckAsync(CancellationToken.None)); // no change while it stays over

        await using (var connection = await cluster.OpenAsync(url))
        {
            Assert.Equal(2L, await Scalar(connection, "SELECT count(*) FROM items"));
            const string insert = "INSERT INTO items (v) VALUES ('c')";
            // What a role would try to get its writes back (GRANT without the right only warns), each followed by a write.
            foreach (var attempt in new[]
                     {
                         "", "GRANT INSERT, UPDATE ON items TO CURRENT_USER", "ALTER TABLE items OWNER TO CURRENT_USER",
                         "SET default_transaction_read_only = off", "ALTER DATABASE " + added.ProviderId + " OWNER TO CURRENT_USER",
                         "SET ROLE " + PostgresQuotaStore.OwnerOf(added.ProviderId),
                     })
            {
                if (attempt != "") try { await Exec(connection, attempt); } catch (PostgresException) { }
                foreach (var write in new[] { insert, "UPDATE items SET v = 'z'", "CREATE TABLE more (v text)", "CREATE SCHEMA s2", "CREATE TEMP TABLE t (v text)" })
                {
                    var refused = await Assert.ThrowsAsync<PostgresException>(() => Exec(connection, write));
                    Assert.True(refused.SqlState == "42501", $"{attempt} / {write}: {refused.SqlState} {refused.MessageText}");
                }
            }
            await Exec(connection, "DELETE FROM items WHERE v = 'a'");
            Assert.Equal(1L, await Scalar(connection, "SELECT count(*) FROM items"));
        }

        limit = 1L << 40;
        Assert.Equal([(added.ProviderId, false)], await watch.CheckAsync(CancellationToken.None));
        await using (var connection = await cluster.OpenAsync(url))
        {
            await Exec(connection, "INSERT INTO items (v) VALUES ('c'); UPDATE items SET v = 'y'; CREATE TABLE more (v text); ALTER TABLE items ADD COLUMN w int");
            Assert.Equal(2L, await Scalar(connection, "SELECT count(*) FROM items"));
        }
        Assert.False(await cluster.Cluster.Admin.RoleExistsAsync(PostgresQuotaStore.OwnerOf(added.ProviderId), CancellationToken.None));

        // Removed while read-only: database, role and owner role all go.
        limit = 1;
        await watch.CheckAsync(CancellationToken.None);
        await cluster.Provider.DeprovisionAsync(added.ProviderId, CancellationToken.None);
        Assert.False(await cluster.Cluster.Admin.RoleExistsAsync(PostgresQuotaStore.OwnerOf(added.ProviderId), CancellationToken.None));
        Assert.False(await cluster.Cluster.Admin.RoleExistsAsync(added.ProviderId, CancellationToken.None));
    }

    private static async Task Exec(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> Scalar(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
