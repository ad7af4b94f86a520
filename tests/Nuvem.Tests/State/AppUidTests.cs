using Dapper;
using Nuvem.Platform;
using Nuvem.Platform.Accounts;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Logplex;
using Nuvem.Platform.State;

namespace Nuvem.Tests.State;

/// <summary>An app's uid may still own files after the app is gone: no later app gets it.</summary>
public sealed class AppUidTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"nuvem-uids-{Guid.NewGuid():N}.db");

    [Fact]
    public void A_destroyed_apps_uid_is_not_given_to_the_next_app()
    {
        var database = new Database(_path);
        Migrator.Migrate(database);
        var apps = new AppService(database, new PlatformSettings(), new SilentLogplex());
        var owner = new AccountService(database, TimeProvider.System).Create("owner@nuvem.test", "owner-password");

        var a = apps.Create(owner, "uid-a");
        Assert.Equal(AppService.FirstUid, a.Uid);
        apps.Destroy(a);
        var b = apps.Create(owner, "uid-b");
        Assert.True(b.Uid > a.Uid, $"B got uid {b.Uid} after A's {a.Uid}");

        // A taken name rolls its uid back with the rest: the failed create uses up nothing.
        Assert.Throws<PlatformException>(() => apps.Create(owner, "uid-b"));
        Assert.Equal(b.Uid + 1, apps.Create(owner, "uid-c").Uid);
    }

    [Fact]
    public void The_sequence_starts_past_the_uids_in_use_when_an_older_database_is_migrated()
    {
        var database = new Database(_path);
        using (var connection = database.Open())
        {
            foreach (var migration in Migrator.All.Where(m => m.Version <= 7))
                connection.Execute(migration.Sql + $"\nPRAGMA user_version = {migration.Version};");
            connection.Execute("INSERT INTO users (id, email, password_hash, created_at, updated_at) VALUES ('u', 'old@nuvem.test', 'x', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')");
            connection.Execute("INSERT INTO apps (id, name, owner_id, region, stack, uid, created_at, updated_at) VALUES ('a', 'old', 'u', 'local', 'nuvem-1', 20007, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')");
        }
        Assert.Equal([8], Migrator.Migrate(database).Where(v => v == 8));
        var apps = new AppService(database, new PlatformSettings(), new SilentLogplex());
        var owner = new AccountService(database, TimeProvider.System).Get("u");
        using (var connection = database.Open()) connection.Execute("DELETE FROM apps WHERE id = 'a'");
        Assert.Equal(20008, apps.Create(owner, "new").Uid);
    }

    private sealed class SilentLogplex : ILogplex
    {
        public void Publish(string appId, string source, string dyno, string message) { }
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(_path + suffix);
    }
}
