namespace Nuvem.Platform.Dynos.Scheduling;

/// <summary>
/// When a crashed dyno starts again, as on Heroku: at once after its first crash, then after cool-offs of 2, 4, 8…
/// seconds, up to <see cref="DynoSettings.MaxRestartDelay"/>. A dyno up longer than <see cref="DynoSettings.HealthyAfter"/>
/// is healthy again and starts over; so does a restart asked for, and a dyno of a new release.
/// </summary>
internal sealed class CrashPolicy(DynoSettings timings, TimeProvider clock, DynoTable dynos, SchedulerInbox inbox)
{
    /// <summary>How long to wait before restarting a dyno after its <paramref name="crashes"/>th crash in a row.</summary>
    public TimeSpan DelayAfter(int crashes) => crashes <= 1
        ? TimeSpan.Zero
        : TimeSpan.FromSeconds(Math.Min(timings.MaxRestartDelay.TotalSeconds, Math.Pow(2, crashes - 1)));

    /// <summary>The dyno crashed (exited on its own, failed to launch, or to boot): it restarts once its cool-off is over.</summary>
    public void Crashed(ScheduledDyno dyno)
    {
        var now = clock.GetUtcNow();
        if (dyno.UpSince is { } up && now - up > timings.HealthyAfter) dyno.Crashes = 0;
        dyno.Crashes++;
        dynos.SetState(dyno, "crashed");
        // First crash: restart at once. Then 2, 4, 8… seconds, up to the cap; a new release starts over.
        dyno.RestartAt = now + DelayAfter(dyno.Crashes);
        inbox.Kick();
    }

    /// <summary>Whether a crashed dyno's cool-off is over.</summary>
    public static bool DueForRestart(ScheduledDyno dyno, DateTimeOffset now) =>
        dyno.State == "crashed" && dyno.RestartAt <= now && !dyno.Stopping;

    /// <summary>Dynos up long enough count as healthy: their next crash is a first one again.</summary>
    public void ForgiveHealthy(DateTimeOffset now)
    {
        foreach (var dyno in dynos.All.Where(d => d.State == "up" && d.UpSince is { } up && now - up > timings.HealthyAfter)) dyno.Crashes = 0;
    }
}
