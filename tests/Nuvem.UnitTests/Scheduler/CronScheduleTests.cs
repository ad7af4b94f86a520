using Nuvem.Platform;
using Nuvem.Platform.AddOns.Scheduler;

namespace Nuvem.UnitTests.Scheduler;

/// <summary>Heroku Scheduler's forms normalised to cron, cron validated by Cronos, and the ticks computed from it.</summary>
public sealed class CronScheduleTests
{
    [Theory]
    [InlineData("every 10 minutes", "*/10 * * * *")]
    [InlineData("Every_Ten_Minutes", "*/10 * * * *")]
    [InlineData("hourly at :30", "30 * * * *")]
    [InlineData("every hour at :05", "5 * * * *")]
    [InlineData("hourly", "0 * * * *")]
    [InlineData("daily at 04:30", "30 4 * * *")]
    [InlineData("every day at 23:59", "59 23 * * *")]
    [InlineData("daily", "0 0 * * *")]
    [InlineData("  */5   *  * * 1-5 ", "*/5 * * * 1-5")]
    public void Heroku_forms_and_cron_normalise(string text, string cron) => Assert.Equal(cron, CronSchedule.Parse(text).Cron);

    [Theory]
    [InlineData("")]
    [InlineData("every 7 minutes")]
    [InlineData("* * * *")]
    [InlineData("61 * * * *")]
    [InlineData("daily at 25:00")]
    [InlineData("hourly at :75")]
    [InlineData("* * * * * *")]
    [InlineData("a b c d e")]
    public void Bad_schedules_are_refused_with_the_accepted_forms(string text)
    {
        var e = Assert.Throws<PlatformException>(() => CronSchedule.Parse(text));
        Assert.Contains("Invalid schedule", e.Message);
        Assert.Contains("daily at HH:MM", e.Message);
    }

    [Fact]
    public void Next_run_is_the_first_tick_strictly_after()
    {
        var at = new DateTimeOffset(2026, 12, 2, 10, 7, 30, TimeSpan.Zero);
        Assert.Equal(at.Date.AddHours(10).AddMinutes(8), CronSchedule.Parse("* * * * *").NextAfter(at).UtcDateTime);
        Assert.Equal(at.Date.AddHours(10).AddMinutes(10), CronSchedule.Parse("every 10 minutes").NextAfter(at).UtcDateTime);
        Assert.Equal(at.Date.AddDays(1).AddHours(4).AddMinutes(30), CronSchedule.Parse("daily at 04:30").NextAfter(at).UtcDateTime);
        var onTick = new DateTimeOffset(2026, 12, 2, 10, 8, 0, TimeSpan.Zero);
        Assert.Equal(onTick.AddMinutes(1), CronSchedule.Parse("* * * * *").NextAfter(onTick));
    }

    [Fact]
    public void The_latest_missed_tick_is_found_even_after_a_long_outage()
    {
        var schedule = CronSchedule.Parse("hourly at :15");
        var from = new DateTimeOffset(2026, 11, 20, 3, 15, 0, TimeSpan.Zero);
        var now = new DateTimeOffset(2026, 12, 2, 10, 7, 0, TimeSpan.Zero);
        Assert.Equal(new DateTimeOffset(2026, 12, 2, 9, 15, 0, TimeSpan.Zero), schedule.LatestBetween(from, now));
        Assert.Null(schedule.LatestBetween(now.AddMinutes(1), now.AddMinutes(2)));
        var weekly = CronSchedule.Parse("0 6 * * 1");
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 6, 0, 0, TimeSpan.Zero), weekly.LatestBetween(from, now));
    }
}
