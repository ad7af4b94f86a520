namespace Nuvem.Platform.AddOns.Scheduler;

/// <summary>What <c>POST</c>/<c>PATCH /apps/{app}/scheduled-jobs</c> carry; null fields of a PATCH stay as they are.</summary>
public sealed record ScheduledJobRequest(string? Command, string? Schedule, string? Size);

/// <summary>
/// An app's scheduler jobs (<c>/apps/{app}/scheduled-jobs</c>): only for apps with a scheduler add-on. A job's next
/// run is the first tick of its schedule after it was created or changed.
/// </summary>
public sealed class ScheduledJobs(JobStore jobs, AddOnStore addOns, TimeProvider clock)
{
    public IReadOnlyList<ScheduledJob> List(string appId)
    {
        RequireScheduler(appId);
        return jobs.ForApp(appId);
    }

    public ScheduledJob Get(string appId, string id)
    {
        RequireScheduler(appId);
        return jobs.Find(appId, id) ?? throw NotFound(id);
    }

    public ScheduledJob Create(string appId, ScheduledJobRequest request)
    {
        RequireScheduler(appId);
        var command = ValidCommand(request.Command);
        var schedule = CronSchedule.Parse(request.Schedule);
        var now = clock.GetUtcNow();
        var job = new ScheduledJob
        {
            Id = Guid.NewGuid().ToString(), AppId = appId, Command = command, Schedule = schedule.Cron,
            Size = Blank(request.Size), NextRun = schedule.NextAfter(now),
        };
        jobs.Insert(job, now);
        return jobs.Find(appId, job.Id)!;
    }

    public ScheduledJob Update(string appId, string id, ScheduledJobRequest request)
    {
        var existing = Get(appId, id);
        var schedule = CronSchedule.Parse(request.Schedule ?? existing.Schedule);
        var now = clock.GetUtcNow();
        jobs.Update(new ScheduledJob
        {
            Id = id, AppId = appId, Command = request.Command is null ? existing.Command : ValidCommand(request.Command),
            Schedule = schedule.Cron, Size = request.Size is null ? existing.Size : Blank(request.Size),
            NextRun = schedule.Cron == existing.Schedule ? existing.NextRun : schedule.NextAfter(now),
        }, now);
        return jobs.Find(appId, id)!;
    }

    public ScheduledJob Delete(string appId, string id)
    {
        var job = Get(appId, id);
        jobs.Delete(appId, id);
        return job;
    }

    private void RequireScheduler(string appId)
    {
        if (!addOns.ForApp(appId).Any(a => a.Service == SchedulerProvider.Service && a.State != AddOnStates.Deprovisioned))
            throw PlatformException.Invalid("This app has no Heroku Scheduler: add one first (addons:create scheduler:standard).");
    }

    private static string ValidCommand(string? command) =>
        string.IsNullOrWhiteSpace(command) ? throw PlatformException.Invalid("command must not be empty.") : command.Trim();

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static PlatformException NotFound(string id) =>
        PlatformException.NotFound("scheduled_job", $"Couldn't find that scheduled job ({id}).");
}
