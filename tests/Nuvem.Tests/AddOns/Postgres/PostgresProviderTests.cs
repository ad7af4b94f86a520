using Npgsql;

namespace Nuvem.Tests.AddOns.Postgres;

/// <summary>The provider on a real cluster: databases, credentials, TLS, isolation between add-ons, limits, removal.</summary>
public sealed class PostgresProviderTests
{
    [Fact]
    public async Task A_provisioned_database_opens_with_its_url_over_tls_and_plain_and_no_other_database_does()
    {
        await using var cluster = new TestCluster();
        var first = await cluster.ProvisionAsync();
        var second = await cluster.ProvisionAsync();
        var url = first.Config["URL"];
        Assert.Matches(@"^postgres://d[a-z0-9]{15}:[A-Za-z0-9]{48}@127\.0\.0\.1:\d+/d[a-z0-9]{15}$", url);
        Assert.Equal(new Uri(url).AbsolutePath.TrimStart('/'), first.ProviderId);

        foreach (var (ssl, host) in new[] { (SslMode.Require, "127.0.0.1"), (SslMode.VerifyFull, "127.0.0.1"), (SslMode.VerifyFull, "localhost"), (SslMode.Disable, "127.0.0.1") })
        {
            await using var connection = await cluster.OpenAsync(url, ssl, host: host);
            await using var command = new NpgsqlCommand("CREATE TABLE IF NOT EXISTS t (v text); INSERT INTO t VALUES ('x'); SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", connection);
            Assert.Equal(ssl != SslMode.Disable, (bool)(await command.ExecuteScalarAsync())!);
        }

        // One add-on's credentials open neither another add-on's database nor the cluster's own.
        var other = TestCluster.FromUrl(second.Config["URL"], SslMode.Disable).Database!;
        foreach (var database in new[] { other, "postgres", "template1" })
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => cluster.OpenAsync(url, SslMode.Require, database));
            Assert.Equal("28000", refused.SqlState); // no pg_hba.conf entry
        }
        // Nor can a user log in as the superuser over TCP.
        var superuser = TestCluster.FromUrl(url, SslMode.Disable);
        superuser.Username = "postgres";
        await Assert.ThrowsAsync<PostgresException>(async () => { await using var c = new NpgsqlConnection(superuser.ConnectionString); await c.OpenAsync(); });
        // And a wrong password is refused.
        var wrong = TestCluster.FromUrl(url, SslMode.Disable);
        wrong.Password += "x";
        var failed = await Assert.ThrowsAsync<PostgresException>(async () => { await using var c = new NpgsqlConnection(wrong.ConnectionString); await c.OpenAsync(); });
        Assert.Equal("28P01", failed.SqlState);
    }

    [Fact]
    public async Task A_provision_retried_for_the_same_add_on_makes_no_second_database_and_the_plan_limits_connections()
    {
        await using var cluster = new TestCluster();
        var request = new Nuvem.Platform.AddOns.ProvisionRequest(Guid.NewGuid().ToString(), "postgresql-x", "app-id", "app", "essential-0", new Dictionary<string, string>());
        var first = await cluster.Provider.ProvisionAsync(request, CancellationToken.None);
        var again = await cluster.Provider.ProvisionAsync(request, CancellationToken.None);
        Assert.Equal(first.ProviderId, again.ProviderId);
        var url = again.Config["URL"];

        var open = new List<NpgsqlConnection>();
        try
        {
            for (var i = 0; i < 20; i++) open.Add(await cluster.OpenAsync(url));
            var refused = await Assert.ThrowsAsync<PostgresException>(() => cluster.OpenAsync(url));
            Assert.Equal("53300", refused.SqlState); // too many connections for role

            Assert.Null(await cluster.Provider.ChangePlanAsync(again.ProviderId, "essential-1", CancellationToken.None));
            open.Add(await cluster.OpenAsync(url));
        }
        finally
        {
            foreach (var connection in open) await connection.DisposeAsync();
        }
        await Assert.ThrowsAsync<Nuvem.Platform.PlatformException>(() => cluster.Provider.ChangePlanAsync(again.ProviderId, "mega-9", CancellationToken.None));
    }

    [Fact]
    public async Task Deprovisioning_keeps_a_final_dump_and_drops_the_database_and_the_role()
    {
        await using var cluster = new TestCluster();
        var added = await cluster.ProvisionAsync();
        await using (var connection = await cluster.OpenAsync(added.Config["URL"]))
        await using (var command = new NpgsqlCommand("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('the last row')", connection))
            await command.ExecuteNonQueryAsync();

        await cluster.Provider.DeprovisionAsync(added.ProviderId, CancellationToken.None);

        Assert.False(await cluster.Cluster.Admin.DatabaseExistsAsync(added.ProviderId, CancellationToken.None));
        Assert.False(await cluster.Cluster.Admin.RoleExistsAsync(added.ProviderId, CancellationToken.None));
        var dump = Assert.Single(new Nuvem.Platform.AddOns.Postgres.PostgresFinalBackups(cluster.Cluster, TimeProvider.System).Of(added.ProviderId));
        var listed = await cluster.Cluster.Processes.RunAsync(cluster.Binaries.PgRestore, ["--list", dump], "/");
        Assert.True(listed.Succeeded, listed.Message);
        Assert.Contains("TABLE public kept", listed.Output);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dump));
        await Assert.ThrowsAsync<PostgresException>(() => cluster.OpenAsync(added.Config["URL"]));

        // Already gone is success.
        await cluster.Provider.DeprovisionAsync(added.ProviderId, CancellationToken.None);
    }
}
