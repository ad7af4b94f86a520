using Npgsql;
using Nuvem.Platform;
using Nuvem.Platform.Accounts;
using Nuvem.Platform.AddOns;
using Nuvem.Platform.AddOns.Postgres.Backups;
using Nuvem.Platform.Apps;
using Nuvem.Platform.State;

namespace Nuvem.Tests.AddOns.Postgres.Backups;

/// <summary>
/// The backup service on a real cluster and a real state file: a scheduled run captures (a-prefixed), retention keeps
/// the newest, a restart fails what it interrupted, dumps of a destroyed app are swept.
/// </summary>
public sealed class PostgresBackupsServiceTests
{
    [Fact]
    public async Task A_due_schedule_captures_retention_keeps_the_newest_and_a_restart_fails_what_it_interrupted()
    {
        await using var cluster = new TestCluster();
        var added = await cluster.ProvisionAsync();
        var database = new Database(Path.Combine(cluster.DataDir, "nuvem.db"));
        Migrator.Migrate(database);
        var owner = new AccountService(database, TimeProvider.System).Create("owner@nuvem.test", "owner-password");
        var app = new AppService(database, new PlatformSettings { Domain = "apps.test" }).Create(owner, "bk-service");
        var addOn = new AddOn
        {
            Id = Guid.NewGuid().ToString(), Name = "postgresql-service-12345", AppId = app.Id, AppName = app.Name, OwnerId = owner.Id,
            Service = "heroku-postgresql", Plan = "essential-0", State = AddOnStates.Provisioned, ProviderId = added.ProviderId,
        };
        var addOns = new AddOnStore(database);
        database.Write((c, t) => addOns.InsertAddOn(c, t, addOn, new Dictionary<string, string>()));
        await using (var connection = await cluster.OpenAsync(added.Config["URL"]))
        await using (var command = new NpgsqlCommand("CREATE TABLE t (v int); INSERT INTO t VALUES (1), (2);", connection))
            await command.ExecuteNonQueryAsync();

        var store = new PgTransferStore(database);
        var engine = new PostgresBackupEngine(cluster.Cluster);
        var backups = new PostgresBackups(store, engine, cluster.Cluster, TimeProvider.System);
        var now = DateTimeOffset.UtcNow;
        store.SaveSchedule(addOn.Id, "DATABASE_URL", 2, "Europe/Berlin", now.AddMinutes(-1), now);

        var started = Assert.Single(backups.RunDue(now, _ => addOn with { State = AddOnStates.Provisioned }));
        Assert.Equal("a001", started.Name);
        Assert.Empty(backups.RunDue(now, _ => addOn)); // moved to the next day
        Assert.True(store.ScheduleOf(addOn.Id)!.NextRunAt > now);
        await backups.WaitAsync(started.Id);
        var done = store.Find(started.Id)!;
        Assert.True(done.Succeeded == true && done.Verified == true, done.Error);
        Assert.Contains(done.Logs, l => l.Message == "verified: test restore matched: 1 tables, 2 rows");

        // Six manual captures on essential-0 keep the five newest manual ones; the scheduled one is kept apart.
        for (var i = 0; i < 6; i++) await backups.WaitAsync(backups.Capture(addOn).Id);
        Assert.Equal(["a001", "b003", "b004", "b005", "b006", "b007"], store.BackupsOf(addOn.Id).Select(b => b.Name));
        Assert.False(File.Exists(engine.PathOf(added.ProviderId, "b002.dump")));
        Assert.True(File.Exists(engine.PathOf(added.ProviderId, "b007.dump")));

        // A capture cancelled while it waits for the one before it (or while pg_dump runs) ends canceled, leaving no dump.
        var first = backups.Capture(addOn);
        var second = backups.Capture(addOn);
        backups.Cancel(second);
        await Task.WhenAll(backups.WaitAsync(first.Id), backups.WaitAsync(second.Id));
        var canceled = store.Find(second.Id)!;
        Assert.Equal((false, "canceled"), (canceled.Succeeded, canceled.Error));
        Assert.NotNull(canceled.CanceledAt);
        Assert.True(store.Find(first.Id)!.Succeeded);
        Assert.False(File.Exists(engine.PathOf(added.ProviderId, second.File!)));
        Assert.Throws<PlatformException>(() => backups.Cancel(canceled));

        // A transfer left unfinished by a stopped platform fails at the next start; a leftover scratch database goes.
        var interrupted = store.Insert(app.Id, PgTransferKinds.Backup, false, addOn, null, null, now);
        // A restore cut short after its role was kept from logging in: the role may log in again after the restart.
        var cutShort = store.Insert(app.Id, PgTransferKinds.Restore, false, addOn, done.Id, done.Name, now);
        store.Started(cutShort.Id, now);
        await engine.Store.BeginRestoreAsync(added.ProviderId, CancellationToken.None);
        await Assert.ThrowsAsync<PostgresException>(async () => await cluster.OpenAsync(added.Config["URL"]));
        await engine.Store.CreateScratchAsync(PostgresBackupEngine.ScratchPrefix + "leftover", added.ProviderId, CancellationToken.None);
        var next = new PostgresBackups(store, engine, cluster.Cluster, TimeProvider.System);
        Assert.True(await next.RecoverAsync(CancellationToken.None));
        var failed = store.Find(interrupted.Id)!;
        Assert.Equal((false, "interrupted: the platform stopped while it ran"), (failed.Succeeded, failed.Error));
        Assert.False(store.Find(cutShort.Id)!.Succeeded);
        await using (var again = await cluster.OpenAsync(added.Config["URL"])) Assert.Equal(System.Data.ConnectionState.Open, again.State);
        Assert.Empty(await engine.Store.ScratchDatabasesAsync(PostgresBackupEngine.ScratchPrefix, CancellationToken.None));

        // A restore of a backup that did not succeed is refused; the app's destruction leaves dumps the sweep removes.
        var refused = await Assert.ThrowsAsync<PlatformException>(() => next.RestoreAsync(addOn, failed, CancellationToken.None));
        Assert.Contains("did not complete successfully", refused.Message);
        database.Write((c, t) => Dapper.SqlMapper.Execute(c, "DELETE FROM apps WHERE id = @Id", new { app.Id }, t));
        Assert.Equal(6, next.SweepOrphans().Count); // a001, b004–b008 (b003 went by retention)
        Assert.False(Directory.Exists(Path.Combine(cluster.Cluster.Layout.Backups, added.ProviderId)));
    }
}
