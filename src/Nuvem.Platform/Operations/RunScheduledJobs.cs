using Nuvem.Platform.AddOns;
using Nuvem.Platform.AddOns.Scheduler;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Dynos;
using Nuvem.Platform.Logplex;

namespace Nuvem.Platform.Operations;

/// <summary>
/// Heroku Scheduler's ticks: each due job is claimed for its tick in SQLite (<see cref="JobStore.TryClaim"/>), and only
/// the claimer starts its one-off <c>scheduler.N</c> dyno of the app's current release and config. Two loops, a restart
/// or a deploy therefore never run a tick twice; ticks missed while the platform was down run once, as the latest of
/// them. A job runs only while its app has a scheduler add-on; a tick that cannot start (no release yet) is logged.
/// </summary>
public sealed class RunScheduledJobs(JobStore jobs, AddOnStore addOns, AppStore apps, IScheduler scheduler, ILogplex logplex, TimeProvider clock)
{
    private static readonly IReadOnlyDictionary<string, string> NoEnvironment = new Dictionary<string, string>();

    /// <returns>The dynos started for the ticks due now.</returns>
    public async Task<IReadOnlyList<Dyno>> RunDueAsync()
    {
        var now = clock.GetUtcNow();
        var started = new List<Dyno>();
        foreach (var job in jobs.Due(now))
        {
            CronSchedule schedule;
            try { schedule = CronSchedule.Parse(job.Schedule); }
            catch (PlatformException) { continue; }
            var tick = schedule.LatestBetween(job.NextRun, now) ?? job.NextRun;
            if (!jobs.TryClaim(job.Id, tick, schedule.NextAfter(now), now)) continue;
            if (apps.ById(job.AppId) is not { } app || !HasScheduler(app.Id)) continue;
            try
            {
                var (dyno, _) = await scheduler.RunOneOffAsync(app,
                    new OneOffRequest(job.Command, NoEnvironment, job.Size, Attach: false, Tty: false, Type: "scheduler"));
                started.Add(dyno);
            }
            catch (PlatformException e)
            {
                logplex.Publish(app.Id, "heroku", "scheduler", $"Scheduled job `{job.Command}` ({job.Schedule}) did not start: {e.Message}");
            }
        }
        return started;
    }

    /// <summary>When the next tick of any job is due, or null when there are no jobs.</summary>
    public DateTimeOffset? NextDue() => jobs.NextDue();

    private bool HasScheduler(string appId) =>
        addOns.ForApp(appId).Any(a => a.Service == SchedulerProvider.Service && a.State == AddOnStates.Provisioned);
}
