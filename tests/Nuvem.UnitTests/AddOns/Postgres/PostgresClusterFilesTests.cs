using Nuvem.Platform.AddOns.Postgres;
using Nuvem.Platform.Dynos.Network;

namespace Nuvem.UnitTests.AddOns.Postgres;

/// <summary>The cluster's configuration text, the binaries it finds, and the final backups' retention.</summary>
public sealed class PostgresClusterFilesTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "nuvem-pg-unit-" + Guid.NewGuid().ToString("N")[..8]);

    private static PostgresClusterSettings Settings(string? network = "10.213.0.0/16") =>
        new("/var/lib/nuvem/addons/postgres", 5433, network is null ? ["127.0.0.1"] : ["127.0.0.1", "10.213.0.1"],
            network is null ? "127.0.0.1" : "10.213.0.1", network, "CERT", "KEY", "CA", TimeSpan.FromDays(7));

    [Fact]
    public void Postgresql_conf_listens_on_loopback_and_the_gateway_with_tls_and_scram()
    {
        var layout = new PostgresClusterLayout("/var/lib/nuvem/addons/postgres");
        var conf = PostgresConfigFiles.PostgresqlConf(layout, Settings());
        Assert.Contains("listen_addresses = '127.0.0.1,10.213.0.1'\n", conf);
        Assert.Contains("port = 5433\n", conf);
        Assert.Contains("data_directory = '/var/lib/nuvem/addons/postgres/data'\n", conf);
        Assert.Contains("hba_file = '/var/lib/nuvem/addons/postgres/conf/pg_hba.conf'\n", conf);
        Assert.Contains("unix_socket_directories = '/var/lib/nuvem/addons/postgres/run'\n", conf);
        Assert.Contains("ssl = on\n", conf);
        Assert.Contains("ssl_key_file = '/var/lib/nuvem/addons/postgres/conf/server.key'\n", conf);
        Assert.Contains("password_encryption = 'scram-sha-256'\n", conf);
        Assert.Equal(@"'it''s a \\ path'", PostgresConfigFiles.Literal(@"it's a \ path"));
    }

    [Fact]
    public void Pg_hba_lets_a_role_open_only_its_own_database_from_loopback_and_the_dyno_network()
    {
        var rules = PostgresConfigFiles.PgHba(Settings()).Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToList();
        Assert.Equal(
        [
            "local all postgres peer map=nuvem",
            "local all all reject",
            "host all postgres 0.0.0.0/0 reject",
            "host sameuser all 127.0.0.1/32 scram-sha-256",
            "host sameuser all 10.213.0.0/16 scram-sha-256",
            "host all all 0.0.0.0/0 reject",
            "host all all ::/0 reject",
        ], rules);
        Assert.DoesNotContain("10.213", PostgresConfigFiles.PgHba(Settings(network: null)));
        Assert.DoesNotContain(" trust", PostgresConfigFiles.PgHba(Settings()));
    }

    [Fact]
    public void Pg_ident_maps_root_and_the_server_user_to_the_superuser()
    {
        var ident = PostgresConfigFiles.PgIdent("root", "postgres");
        Assert.Contains("nuvem    root    postgres", ident);
        Assert.Contains("nuvem    postgres    postgres", ident);
    }

    [Fact]
    public void The_newest_complete_postgresql_under_the_root_is_found()
    {
        foreach (var (version, programs) in new[] { ("13", PostgresBinaries.Required), ("15", PostgresBinaries.Required), ("16", ["postgres"]), ("x", PostgresBinaries.Required) })
        {
            Directory.CreateDirectory(Path.Combine(_dir, version, "bin"));
            foreach (var program in programs) File.WriteAllText(Path.Combine(_dir, version, "bin", program), "");
        }
        var found = PostgresBinaries.Find(_dir);
        Assert.NotNull(found);
        Assert.Equal(15, found.Major); // 16 lacks initdb
        Assert.Equal(Path.Combine(_dir, "15", "bin", "pg_ctl"), found.PgCtl);
        Assert.Null(PostgresBinaries.Find(Path.Combine(_dir, "none")));
        Assert.Contains("apt-get install postgresql", PostgresBinaries.Missing());
    }

    [Theory]
    [InlineData("10.213.0.0/16", "10.213.0.1")]
    [InlineData("10.200.7.0/24", "10.200.7.1")]
    public void Dynos_reach_the_host_at_the_subnets_first_address(string subnet, string gateway) =>
        Assert.Equal(gateway, BridgeNetwork.GatewayOf(subnet));

    [Fact]
    public async Task Final_backups_older_than_the_retention_are_swept_and_newer_ones_kept()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 12, 10, 12, 0, 0, TimeSpan.Zero));
        var settings = Settings() with { Directory = Path.Combine(_dir, "addons", "postgres") };
        await using var cluster = new PostgresCluster(new PostgresBinaries("/nonexistent", 15), settings);
        var backups = new PostgresFinalBackups(cluster, clock);
        Directory.CreateDirectory(cluster.Layout.Backups);
        foreach (var name in new[] { "dold.final.20261201T115959Z.dump", "dnew.final.20261203T120001Z.dump", "notes.txt", "dodd.final.garbage.dump" })
            File.WriteAllText(Path.Combine(cluster.Layout.Backups, name), "");

        var removed = backups.Sweep();

        Assert.Equal("dold.final.20261201T115959Z.dump", Path.GetFileName(Assert.Single(removed)));
        Assert.Equal(["dnew.final.20261203T120001Z.dump", "dodd.final.garbage.dump", "notes.txt"],
            Directory.EnumerateFiles(cluster.Layout.Backups).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Single(backups.Of("dnew"));
        Assert.Empty(backups.Of("dold"));
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (DirectoryNotFoundException) { }
    }
}
