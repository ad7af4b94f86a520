using Microsoft.Extensions.Time.Testing;
using Nuvem.Platform;
using Nuvem.Platform.AddOns;
using Nuvem.Platform.AddOns.Scheduler;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Dynos;
using Nuvem.Platform.Dynos.Runtime;
using Nuvem.Platform.Operations;
using Nuvem.UnitTests.Stores;

namespace Nuvem.UnitTests.Scheduler;

/// <summary>The scheduler add-on, its jobs and their ticks: each tick is claimed once, whatever runs the loop.</summary>
public sealed class ScheduledJobRunnerTests : IDisposable
{
    private readonly TempPlatform _p = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 2, 10, 0, 30, TimeSpan.Zero));
    private readonly OneOffRecorder _dynos = new();
    private readonly AddOnStore _addOns;
    private readonly CreateAddOn _create;
    private readonly DestroyAddOn _destroy;
    private readonly ScheduledJobs _jobs;

    public ScheduledJobRunnerTests()
    {
        _addOns = new AddOnStore(_p.Database);
        var releases = new AddOnReleases(_p.Database, _p.ConfigVars, _p.Releases, _p.ReleasePhase, _p.Scheduler);
        var catalog = new AddOnCatalog([new SchedulerProvider(new JobStore(_p.Database), _addOns)]);
        _create = new CreateAddOn(_p.Database, _addOns, catalog, releases, _p.AppStore, _p.Logplex) { AnswerWithin = TimeSpan.FromSeconds(5) };
        _destroy = new DestroyAddOn(_addOns, catalog, releases, _p.AppStore);
        _jobs = new ScheduledJobs(new JobStore(_p.Database), _addOns, _clock);
    }

    private RunScheduledJobs Runner() => new(new JobStore(_p.Database), _addOns, _p.AppStore, _dynos, _p.Logplex, _clock);

    private async Task<App> AppWithScheduler(string name)
    {
        var app = _p.NewApp(name);
        var addOn = await _create.RunAsync(app, _p.Owner.Id, new CreateAddOnRequest("scheduler:standard"));
        Assert.Equal(AddOnStates.Provisioned, addOn.State);
        return app;
    }

    [Fact]
    public async Task The_add_on_exports_no_config_and_its_attach_release_is_fine()
    {
        var app = await AppWithScheduler("cron");
        var release = _p.ReleaseStore.List(app.Id)[^1];
        Assert.StartsWith("Attach", release.Description);
        Assert.Equal(["scheduler:standard"], release.AddonPlanNames);
        Assert.DoesNotContain(_p.ConfigVars.Get(app).Keys, k => k.StartsWith("SCHEDULER", StringComparison.Ordinal));
    }

    [Fact]
    public void Jobs_need_a_scheduler_add_on_and_a_valid_schedule()
    {
        var app = _p.NewApp("plain");
        var none = Assert.Throws<PlatformException>(() => _jobs.Create(app.Id, new("echo hi", "* * * * *", null)));
        Assert.Contains("addons:create scheduler", none.Message);
    }

    [Fact]
    public async Task Jobs_are_created_normalised_changed_and_removed()
    {
        var app = await AppWithScheduler("crud");
        var job = _jobs.Create(app.Id, new("rake report", "daily at 04:30", "Standard-2X"));
        Assert.Equal("30 4 * * *", job.Schedule);
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 4, 30, 0, TimeSpan.Zero), job.NextRun);
        var bad = Assert.Throws<PlatformException>(() => _jobs.Update(app.Id, job.Id, new(null, "every 7 minutes", null)));
        Assert.Contains("Invalid schedule", bad.Message);
        var changed = _jobs.Update(app.Id, job.Id, new(null, "every 10 minutes", null));
        Assert.Equal(("rake report", "*/10 * * * *", "Standard-2X"), (changed.Command, changed.Schedule, changed.Size));
        Assert.Equal(new DateTimeOffset(2026, 12, 2, 10, 10, 0, TimeSpan.Zero), changed.NextRun);
        Assert.Single(_jobs.List(app.Id));
        _jobs.Delete(app.Id, job.Id);
        Assert.Empty(_jobs.List(app.Id));
        Assert.Throws<PlatformException>(() => _jobs.Get(app.Id, job.Id));
    }

    [Fact]
    public async Task Each_tick_starts_one_scheduler_dyno_however_many_loops_run()
    {
        var app = await AppWithScheduler("ticks");
        _jobs.Create(app.Id, new("echo tick", "* * * * *", null));
        var (first, second) = (Runner(), Runner());

        Assert.Empty(await first.RunDueAsync()); // 10:00:30, the first tick is 10:01
        _clock.Advance(TimeSpan.FromSeconds(31));
        var runs = await Task.WhenAll(first.RunDueAsync(), second.RunDueAsync(), first.RunDueAsync());
        Assert.Equal(1, runs.Sum(r => r.Count));
        Assert.Empty(await second.RunDueAsync());

        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Single(await second.RunDueAsync());
        Assert.Empty(await first.RunDueAsync());

        Assert.Equal(2, _dynos.Requests.Count);
        Assert.All(_dynos.Requests, r => Assert.Equal(("scheduler", "echo tick", false), (r.Type, r.Command, r.Attach)));
        Assert.Equal(new DateTimeOffset(2026, 12, 2, 10, 2, 0, TimeSpan.Zero), _jobs.List(app.Id)[0].LastTick);
    }

    [Fact]
    public async Task Ticks_missed_while_the_platform_was_down_run_once_at_start()
    {
        var app = await AppWithScheduler("missed");
        _jobs.Create(app.Id, new("echo late", "* * * * *", null));
        _clock.Advance(TimeSpan.FromMinutes(45)); // down for 45 ticks

        Assert.Single(await Runner().RunDueAsync()); // a new process: once, for the latest tick
        Assert.Empty(await Runner().RunDueAsync());
        var job = _jobs.List(app.Id)[0];
        Assert.Equal(new DateTimeOffset(2026, 12, 2, 10, 45, 0, TimeSpan.Zero), job.LastTick);
        Assert.Equal(new DateTimeOffset(2026, 12, 2, 10, 46, 0, TimeSpan.Zero), job.NextRun);
    }

    [Fact]
    public async Task A_claimed_tick_is_never_claimed_again_even_by_a_stale_reader()
    {
        var app = await AppWithScheduler("stale");
        var job = _jobs.Create(app.Id, new("echo once", "* * * * *", null));
        var store = new JobStore(_p.Database);
        var tick = job.NextRun;
        Assert.True(store.TryClaim(job.Id, tick, tick.AddMinutes(1), tick));
        Assert.False(store.TryClaim(job.Id, tick, tick.AddMinutes(1), tick));
        Assert.False(store.TryClaim(job.Id, tick.AddMinutes(-1), tick, tick));
        Assert.True(store.TryClaim(job.Id, tick.AddMinutes(1), tick.AddMinutes(2), tick.AddMinutes(1)));
    }

    [Fact]
    public async Task Without_a_scheduler_add_on_or_a_release_a_tick_passes_without_a_dyno()
    {
        var app = await AppWithScheduler("failing");
        _jobs.Create(app.Id, new("echo hi", "* * * * *", null));
        _dynos.Refuse = "failing has no release to run yet: deploy it first (git push).";
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(await Runner().RunDueAsync());
        Assert.Contains(_p.Logplex.LinesOf(app.Id), l => l.StartsWith("heroku[scheduler]: Scheduled job `echo hi`", StringComparison.Ordinal) && l.Contains("no release"));
        _dynos.Refuse = null;
        Assert.Empty(await Runner().RunDueAsync()); // the failed tick is not retried
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Single(await Runner().RunDueAsync());
    }

    [Fact]
    public async Task Destroying_the_scheduler_removes_the_apps_jobs()
    {
        var app = await AppWithScheduler("gone");
        _jobs.Create(app.Id, new("echo hi", "* * * * *", null));
        var addOn = _addOns.OwnedBy(app.Id).Single();
        await _destroy.RunAsync(addOn, _p.Owner.Id, force: false);
        Assert.Empty(new JobStore(_p.Database).ForApp(app.Id));
        _clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Empty(await Runner().RunDueAsync());
    }

    public void Dispose() => _p.Dispose();

    /// <summary>Records the one-off dynos asked for, as <c>scheduler.N</c>; refuses when told to.</summary>
    private sealed class OneOffRecorder : IScheduler
    {
        public List<OneOffRequest> Requests { get; } = [];
        public string? Refuse { get; set; }

        public void Apply(string appId) { }
        public Task ApplyNowAsync(string appId) => Task.CompletedTask;
        public Task ForgetAsync(string appId) => Task.CompletedTask;
        public IReadOnlyList<Dyno> List(App app) => [];
        public Task<int> RestartAsync(App app, string? type = null, string? name = null) => Task.FromResult(0);
        public Task<int> StopAsync(App app, string? type = null, string? name = null) => Task.FromResult(0);

        public Task<(Dyno Dyno, IAttachedDyno? Attached)> RunOneOffAsync(App app, OneOffRequest request)
        {
            if (Refuse is not null) throw PlatformException.Invalid(Refuse);
            lock (Requests) Requests.Add(request);
            var dyno = new Dyno { Id = Guid.NewGuid().ToString(), AppId = app.Id, Name = $"{request.Type}.{Requests.Count + 1000}", Type = request.Type,
                Command = request.Command, State = "starting", ReleaseId = "", ReleaseVersion = 0, Size = "Basic",
                CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow };
            return Task.FromResult<(Dyno, IAttachedDyno?)>((dyno, null));
        }
    }
}
