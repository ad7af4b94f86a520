using Nuvem.Platform.AddOns;
using Nuvem.Platform.AddOns.Postgres.Backups;
using Nuvem.UnitTests.Stores;

namespace Nuvem.UnitTests.AddOns.Postgres.Backups;

/// <summary>The transfers table: one number sequence per app for every kind, logs, outcomes, one schedule per add-on.</summary>
public sealed class PgTransferStoreTests : IDisposable
{
    private readonly TempPlatform _p = new();

    [Fact]
    public void Numbers_are_one_sequence_per_app_shared_by_backups_and_restores()
    {
        var (app, other) = (_p.NewApp("bk-one"), _p.NewApp("bk-two"));
        var addOn = AddOn(app.Id, app.Name);
        var store = new PgTransferStore(_p.Database);
        var now = DateTimeOffset.UtcNow;
        var b1 = store.Insert(app.Id, PgTransferKinds.Backup, false, addOn, null, null, now);
        var a2 = store.Insert(app.Id, PgTransferKinds.Backup, true, addOn, null, null, now);
        var r3 = store.Insert(app.Id, PgTransferKinds.Restore, false, addOn, b1.Id, b1.Name, now);
        var elsewhere = store.Insert(other.Id, PgTransferKinds.Backup, false, AddOn(other.Id, other.Name), null, null, now);
        Assert.Equal(["b001", "a002", "r003"], store.ForApp(app.Id).Select(t => t.Name));
        Assert.Equal(("b001.dump", "a002.dump", (string?)null), (b1.File, a2.File, r3.File));
        Assert.Equal("b001", elsewhere.Name);
        Assert.Equal(a2.Id, store.FindByNum(app.Id, 2)!.Id);
        Assert.Equal(2, store.BackupsOf(addOn.Id).Count);

        store.Started(b1.Id, now);
        store.Log(b1.Id, new PgTransferLog(now, "first"));
        store.Log(b1.Id, new PgTransferLog(now, "second"));
        store.Sizes(b1.Id, 1000, 200);
        store.Finished(b1.Id, true, true, null, now.AddSeconds(5));
        var done = store.Find(b1.Id)!;
        Assert.Equal((true, true, 1000L, 200L), (done.Succeeded, done.Verified, done.SourceBytes!.Value, done.ProcessedBytes));
        Assert.Equal(["first", "second"], done.Logs.Select(l => l.Message));
        Assert.Equal([a2.Id, r3.Id], store.Unfinished().Where(t => t.AppId == app.Id).Select(t => t.Id));
        store.Delete(b1.Id);
        // A deleted number is not reused while a higher one exists.
        Assert.Equal("b004", store.Insert(app.Id, PgTransferKinds.Backup, false, addOn, null, null, now).Name);
    }

    private AddOn AddOn(string appId, string appName)
    {
        var addOn = new AddOn
        {
            Id = Guid.NewGuid().ToString(), Name = "postgresql-" + appName, AppId = appId, AppName = appName, OwnerId = _p.Owner.Id,
            Service = "heroku-postgresql", Plan = "essential-0", State = AddOnStates.Provisioned, ProviderId = "d" + appName.Replace("-", ""),
        };
        _p.Database.Write((c, t) => new AddOnStore(_p.Database).InsertAddOn(c, t, addOn, new Dictionary<string, string>()));
        return addOn;
    }

    [Fact]
    public void One_schedule_per_add_on_replaced_by_a_second_and_due_when_its_time_has_come()
    {
        var app = _p.NewApp("bk-sched");
        var addOn = AddOn(app.Id, app.Name);
        var store = new PgTransferStore(_p.Database);
        var now = DateTimeOffset.UtcNow;
        var first = store.SaveSchedule(addOn.Id, "DATABASE_URL", 2, "Europe/Berlin", now.AddHours(3), now);
        var second = store.SaveSchedule(addOn.Id, "DATABASE_URL", 4, "UTC", now.AddHours(5), now);
        Assert.Equal(first.Id, second.Id);
        Assert.Equal((4, "UTC"), (store.ScheduleOf(addOn.Id)!.Hour, store.ScheduleOf(addOn.Id)!.TimeZone));
        Assert.Empty(store.Due(now));
        Assert.Single(store.Due(now.AddHours(6)));
        store.SetNextRun(first.Id, now.AddDays(1));
        Assert.Empty(store.Due(now.AddHours(6)));
        Assert.False(store.DeleteSchedule(addOn.Id, Guid.NewGuid().ToString()));
        Assert.True(store.DeleteSchedule(addOn.Id, first.Id));
        Assert.Null(store.ScheduleOf(addOn.Id));
    }

    public void Dispose() => _p.Dispose();
}
