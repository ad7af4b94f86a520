using Nuvem.Platform;
using Nuvem.Platform.AddOns.Postgres.Backups;

namespace Nuvem.UnitTests.AddOns.Postgres.Backups;

/// <summary>Backups' rules: Heroku's names, what is kept, when a daily schedule runs next, what counts as verified.</summary>
public sealed class PgBackupRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Names_are_herokus_and_the_cli_s_forms_parse_back_to_the_number()
    {
        Assert.Equal("b001", PgBackupRules.Name(PgTransferKinds.Backup, false, 1));
        Assert.Equal("a012", PgBackupRules.Name(PgTransferKinds.Backup, true, 12));
        Assert.Equal("r003", PgBackupRules.Name(PgTransferKinds.Restore, false, 3));
        Assert.Equal("b1234", PgBackupRules.Name(PgTransferKinds.Backup, false, 1234));
        foreach (var (typed, num) in new[] { ("b001", 1), ("a012", 12), ("r3", 3), ("7", 7), ("c010", 10) }) Assert.Equal(num, PgBackupRules.Num(typed));
        foreach (var bad in new[] { "x001", "b", "b000", "", "b-1", "../b001" }) Assert.Null(PgBackupRules.Num(bad));
    }

    [Fact]
    public void Retention_keeps_the_newest_succeeded_and_the_failures_after_them_and_never_a_running_one()
    {
        var backups = new[]
        {
            Backup(1, true), Backup(2, false), Backup(3, true), Backup(4, true), Backup(5, false), Backup(6, null),
        };
        // Keep 2: b004 and b003 stay; b001 (older good) and b002 (a failure before the newest good) go; b005 (a failure
        // after it) stays to explain itself; b006 is running.
        Assert.Equal([2, 1], PgBackupRules.Expired(backups, 2).Select(b => b.Num));
        // Room for all: only the superseded failure goes.
        Assert.Equal([2], PgBackupRules.Expired(backups, 25).Select(b => b.Num));
        // Only failures so far: all kept (nothing good supersedes them).
        Assert.Empty(PgBackupRules.Expired([Backup(1, false), Backup(2, false)], 1));
        Assert.Equal(5, PgBackupRules.ManualKept("essential-0"));
        Assert.Equal(25, PgBackupRules.ManualKept("standard-0"));
        Assert.Equal(7, PgBackupRules.ScheduledKept);
    }

    [Fact]
    public void The_next_run_is_the_next_hour_in_the_zone_across_days_and_dst_changes()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        // 00:30 UTC on 1 March = 01:30 in Berlin (CET, +1): 02:00 Berlin is 01:00 UTC the same day.
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 1, 0, 0, TimeSpan.Zero), PgBackupRules.NextRun(2, berlin, T0.AddMinutes(30)));
        // Exactly at the time: the next day's.
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 1, 0, 0, TimeSpan.Zero), PgBackupRules.NextRun(2, berlin, new DateTimeOffset(2026, 3, 1, 1, 0, 0, TimeSpan.Zero)));
        // Summer time (CEST, +2): 02:00 Berlin is 00:00 UTC.
        Assert.Equal(new DateTimeOffset(2026, 7, 2, 0, 0, 0, TimeSpan.Zero), PgBackupRules.NextRun(2, berlin, new DateTimeOffset(2026, 7, 1, 12, 0, 0, TimeSpan.Zero)));
        // 29 March 2026: 02:00–03:00 does not exist in Berlin; the run is at 03:00 CEST (01:00 UTC).
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 1, 0, 0, TimeSpan.Zero), PgBackupRules.NextRun(2, berlin, new DateTimeOffset(2026, 3, 28, 12, 0, 0, TimeSpan.Zero)));
        // 25 October 2026: 02:00–03:00 happens twice; the run is at the first (CEST, 00:00 UTC), once.
        Assert.Equal(new DateTimeOffset(2026, 10, 25, 0, 0, 0, TimeSpan.Zero), PgBackupRules.NextRun(2, berlin, new DateTimeOffset(2026, 10, 24, 12, 0, 0, TimeSpan.Zero)));
        Assert.Equal(new DateTimeOffset(2026, 10, 26, 1, 0, 0, TimeSpan.Zero), PgBackupRules.NextRun(2, berlin, new DateTimeOffset(2026, 10, 25, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 23, 0, 0, TimeSpan.Zero), PgBackupRules.NextRun(23, TimeZoneInfo.Utc, T0.AddHours(1)));
    }

    [Fact]
    public void A_schedule_takes_an_hour_0_to_23_and_a_known_zone()
    {
        Assert.Equal(2, PgBackupRules.ParseSchedule("02", "Europe/Berlin").Hour);
        Assert.Equal("UTC", PgBackupRules.ParseSchedule("0", null).Zone.Id);
        Assert.Throws<PlatformException>(() => PgBackupRules.ParseSchedule("24", "UTC"));
        Assert.Throws<PlatformException>(() => PgBackupRules.ParseSchedule("x", "UTC"));
        Assert.Contains("Mars/Olympus", Assert.Throws<PlatformException>(() => PgBackupRules.ParseSchedule("2", "Mars/Olympus")).Message);
    }

    [Fact]
    public void Verified_means_the_same_tables_with_the_same_row_counts()
    {
        var dumped = new Dictionary<string, long> { ["public.items"] = 3, ["public.users"] = 0, ["app.logs"] = 10 };
        var same = PostgresBackupEngine.Compare(dumped, new Dictionary<string, long>(dumped));
        Assert.True(same.Verified);
        Assert.Equal("test restore matched: 3 tables, 13 rows", same.Summary);

        var fewer = PostgresBackupEngine.Compare(dumped, new Dictionary<string, long> { ["public.items"] = 2, ["public.users"] = 0, ["app.logs"] = 10 });
        Assert.False(fewer.Verified);
        Assert.Contains("public.items has 2 rows, not 3", fewer.Summary);
        var missing = PostgresBackupEngine.Compare(dumped, new Dictionary<string, long> { ["public.items"] = 3, ["app.logs"] = 10 });
        Assert.False(missing.Verified);
        Assert.Contains("public.users is missing", missing.Summary);
        Assert.False(PostgresBackupEngine.Compare(dumped, new Dictionary<string, long>(dumped) { ["public.extra"] = 0 }).Verified);
        Assert.True(PostgresBackupEngine.Compare(new Dictionary<string, long>(), new Dictionary<string, long>()).Verified);
    }

    private static PgTransfer Backup(int num, bool? succeeded) => new()
    {
        Id = Guid.NewGuid().ToString(), AppId = "app", Num = num, Kind = PgTransferKinds.Backup, AddOnId = "addon", AddOnName = "postgresql-x",
        Database = "d1", Succeeded = succeeded, CreatedAt = T0.AddDays(num), FinishedAt = succeeded is null ? null : T0.AddDays(num).AddMinutes(1),
    };
}
