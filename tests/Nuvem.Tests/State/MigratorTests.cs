using Dapper;
using Nuvem.Platform.State;

namespace Nuvem.Tests.State;

public sealed class MigratorTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"nuvem-migrate-{Guid.NewGuid():N}.db");

    [Fact]
    public void Migrations_apply_once_in_order_and_set_wal()
    {
        var database = new Database(_path);
        var applied = Migrator.Migrate(database);
        Assert.Equal(Enumerable.Range(1, Migrator.LatestVersion), applied);
        Assert.Empty(Migrator.Migrate(database));

        using var connection = database.Open();
        Assert.Equal(Migrator.LatestVersion, connection.ExecuteScalar<int>("PRAGMA user_version"));
        Assert.Equal("wal", connection.ExecuteScalar<string>("PRAGMA journal_mode"));
        Assert.Equal(1, connection.ExecuteScalar<int>("PRAGMA foreign_keys"));
        Assert.Contains("apps", connection.Query<string>("SELECT name FROM sqlite_master WHERE type = 'table'"));
    }

    [Fact]
    public void A_database_from_a_newer_nuvem_is_refused()
    {
        var database = new Database(_path);
        Migrator.Migrate(database);
        using (var connection = database.Open()) connection.Execute($"PRAGMA user_version = {Migrator.LatestVersion + 1}");
        var error = Assert.Throws<InvalidOperationException>(() => Migrator.Migrate(database));
        Assert.Contains("newer", error.Message);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(_path + suffix);
    }
}
