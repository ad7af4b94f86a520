using Nuvem.Platform;
using Nuvem.Platform.Dynos;
using Nuvem.Platform.Formation;
using Nuvem.Platform.Operations;
using Nuvem.Platform.Releases;
using Nuvem.UnitTests.Stores;

namespace Nuvem.UnitTests.Operations;

/// <summary>Each user action does all of its steps, tells the scheduler, and leaves the state as it was when it fails.</summary>
public sealed class OperationTests : IDisposable
{
    private readonly TempPlatform _p = new();
    private static readonly Dictionary<string, string> WithPhase = new() { ["web"] = "./server", ["release"] = "./migrate" };

    [Fact]
    public async Task Creating_an_app_makes_v1_announces_it_and_applies_now()
    {
        var app = await _p.CreateApp().RunAsync(_p.Owner, "created");
        var v1 = Assert.Single(_p.ReleaseStore.List(app.Id));
        Assert.Equal((1L, "Initial release", ReleaseStatus.Succeeded), (v1.Version, v1.Description, v1.Status));
        Assert.Equal(["app[api]: Initial release by user owner@nuvem.test", "app[api]: Release v1 created by user owner@nuvem.test"], _p.Logplex.LinesOf(app.Id));
        Assert.Equal([$"apply-now {app.Id}"], _p.Scheduler.Calls);
    }

    [Fact]
    public async Task A_refused_app_is_not_made_and_the_scheduler_hears_nothing()
    {
        await _p.CreateApp().RunAsync(_p.Owner, "taken");
        _p.Scheduler.Calls.Clear();
        await Assert.ThrowsAsync<PlatformException>(() => _p.CreateApp().RunAsync(_p.Owner, "taken"));
        await Assert.ThrowsAsync<PlatformException>(() => _p.CreateApp().RunAsync(_p.Owner, "Bad_Name"));
        await Assert.ThrowsAsync<PlatformException>(() => _p.CreateApp().RunAsync(_p.Owner, region: "mars"));
        Assert.Single(_p.Apps.List(_p.Owner));
        Assert.Empty(_p.Scheduler.Calls);
    }

    [Fact]
    public async Task Renaming_an_app_moves_its_host_at_once_and_applies_now()
    {
        var app = _p.NewApp("before");
        Assert.Equal(app.Id, _p.Domains.AppIdForHost("before.apps.test")); // the snapshot knows the old name
        var renamed = await new UpdateApp(_p.Apps, _p.Domains, _p.Scheduler).RunAsync(_p.Owner, app, "after", maintenance: null);
        Assert.Equal("after", renamed.Name);
        Assert.Null(_p.Domains.AppIdForHost("before.apps.test"));
        Assert.Equal(app.Id, _p.Domains.AppIdForHost("after.apps.test"));
        Assert.Equal($"apply-now {app.Id}", _p.Scheduler.Calls[^1]);
    }

    [Fact]
    public void Setting_config_makes_a_release_and_applies()
    {
        var app = _p.NewApp("config");
        _p.Scheduler.Calls.Clear();
        var (vars, release) = _p.SetConfigVars().Run(app, _p.Owner.Id, new Dictionary<string, string?> { ["B"] = "2", ["A"] = "1" });
        Assert.Equal(["A", "B"], vars.Keys.ToArray());
        Assert.Equal((2L, "Set B, A config vars", ReleaseStatus.Succeeded), (release!.Version, release.Description, release.Status));
        Assert.Equal("1", _p.Releases.Find(app, "v2").ConfigVars["A"]);
        Assert.Equal([$"apply {app.Id}"], _p.Scheduler.Calls);

        (vars, release) = _p.SetConfigVars().Run(app, _p.Owner.Id, new Dictionary<string, string?> { ["A"] = null, ["C"] = "3" });
        Assert.Equal("Set C and remove A config vars", release!.Description);
        Assert.Equal(["B", "C"], vars.Keys.ToArray());
    }

    [Fact]
    public void An_unchanged_config_makes_no_release()
    {
        var app = _p.NewApp("same");
        _p.SetConfigVars().Run(app, _p.Owner.Id, new Dictionary<string, string?> { ["A"] = "1" });
        _p.Scheduler.Calls.Clear();
        var (vars, release) = _p.SetConfigVars().Run(app, _p.Owner.Id, new Dictionary<string, string?> { ["A"] = "1", ["GONE"] = null });
        Assert.Null(release);
        Assert.Equal("1", vars["A"]);
        Assert.Equal(2, _p.ReleaseStore.List(app.Id).Count);
        Assert.Empty(_p.Scheduler.Calls);
    }

    [Fact]
    public void A_refused_config_change_changes_nothing()
    {
        var app = _p.NewApp("refused");
        _p.SetConfigVars().Run(app, _p.Owner.Id, new Dictionary<string, string?> { ["A"] = "1" });
        Assert.Throws<PlatformException>(() => _p.SetConfigVars().Run(app, _p.Owner.Id, new Dictionary<string, string?> { ["B"] = "2", ["1BAD"] = "x" }));
        Assert.Throws<PlatformException>(() => _p.SetConfigVars().Run(app, _p.Owner.Id,
            new Dictionary<string, string?> { ["B"] = new string('x', _p.Settings.ConfigVarsMaxBytes) }));
        Assert.Equal(["A"], _p.ConfigVars.Get(app).Keys.ToArray());
        Assert.Equal(2, _p.ReleaseStore.List(app.Id).Count);
    }

    [Fact]
    public void Deploying_a_slug_releases_it_syncs_the_formation_and_applies()
    {
        var app = _p.NewApp("deploy");
        _p.SetConfigVars().Run(app, _p.Owner.Id, new Dictionary<string, string?> { ["A"] = "1" });
        _p.Scheduler.Calls.Clear();
        var slug = _p.StoredSlug(app, TempPlatform.Web(), commit: "0123456789abcdef");
        var release = _p.DeploySlug().Run(app, _p.Owner.Id, slug, null);
        Assert.Equal(("Deploy 0123456", slug, true), (release.Description, release.SlugId, release.Current));
        Assert.Equal("1", release.ConfigVars["A"]);
        Assert.Equal(1, _p.FormationStore.Get(app.Id, "web")!.Quantity);
        Assert.Equal([$"apply {app.Id}"], _p.Scheduler.Calls);
    }

    [Fact]
    public async Task A_release_phase_runs_in_the_background_and_its_failure_keeps_the_current_release()
    {
        var app = _p.NewApp("phase");
        var v2 = _p.DeploySlug().Run(app, _p.Owner.Id, _p.StoredSlug(app, TempPlatform.Web()), null);
        _p.ReleaseCommand.ExitCode = 1;
        var v3 = _p.DeploySlug().Run(app, _p.Owner.Id, _p.StoredSlug(app, WithPhase), null);
        Assert.Equal(ReleaseStatus.Pending, v3.Status);
        await _p.ReleaseCommand.Ran;
        Assert.Equal(ReleaseStatus.Failed, await StatusAfterPhase(app, v3));
        Assert.Equal(v2.Id, _p.ReleaseStore.Current(app.Id)!.Id);
    }

    [Fact]
    public void Rolling_back_brings_back_the_slug_and_config_and_applies()
    {
        var app = _p.NewApp("rollback");
        var first = _p.StoredSlug(app, TempPlatform.Web("./old"));
        _p.DeploySlug().Run(app, _p.Owner.Id, first, null);                                     // v2
        _p.SetConfigVars().Run(app, _p.Owner.Id, new Dictionary<string, string?> { ["A"] = "1" }); // v3
        _p.DeploySlug().Run(app, _p.Owner.Id, _p.StoredSlug(app, TempPlatform.Web("./new")), null); // v4
        _p.Scheduler.Calls.Clear();
        var back = _p.Rollback().Run(app, _p.Owner.Id, "v2");
        Assert.Equal(("Rollback to v2", first, 5L), (back.Description, back.SlugId, back.Version));
        Assert.Empty(_p.ConfigVars.Get(app));
        Assert.Equal("./old", _p.FormationStore.Get(app.Id, "web")!.Command);
        Assert.Equal([$"apply {app.Id}"], _p.Scheduler.Calls);
    }

    [Fact]
    public async Task Rolling_back_to_a_failed_release_is_refused()
    {
        var app = _p.NewApp("no-rollback");
        _p.ReleaseCommand.ExitCode = 1;
        var failed = _p.DeploySlug().Run(app, _p.Owner.Id, _p.StoredSlug(app, WithPhase), null);
        await StatusAfterPhase(app, failed);
        _p.Scheduler.Calls.Clear();
        Assert.Throws<PlatformException>(() => _p.Rollback().Run(app, _p.Owner.Id, failed.Id));
        Assert.Equal(2, _p.ReleaseStore.List(app.Id).Count);
        Assert.Empty(_p.Scheduler.Calls);
    }

    [Fact]
    public void Scaling_tells_the_scheduler_for_a_batch_and_for_one_type()
    {
        var app = _p.NewApp("scale");
        _p.DeploySlug().Run(app, _p.Owner.Id, _p.StoredSlug(app, new Dictionary<string, string> { ["web"] = "./web", ["worker"] = "./work" }), null);
        _p.Scheduler.Calls.Clear();
        var batch = _p.Scale().Run(_p.Owner, app, [new FormationUpdate("web", Quantity.Absolute(2), null), new FormationUpdate("worker", Quantity.Parse("+1"), null)]);
        Assert.Equal([2, 1], batch.Select(f => f.Quantity).ToArray());
        var one = Assert.Single(_p.Scale().Run(_p.Owner, app, [new FormationUpdate("worker", null, "standard-2x")]));
        Assert.Equal(("Standard-2X", 1), (one.Size, one.Quantity));
        Assert.Equal([$"apply {app.Id}", $"apply {app.Id}"], _p.Scheduler.Calls);
        Assert.Contains("app[api]: Scaled to web@2:Basic worker@1:Basic by user owner@nuvem.test", _p.Logplex.LinesOf(app.Id));
    }

    [Fact]
    public void A_refused_scale_changes_nothing_and_tells_no_one()
    {
        var app = _p.NewApp("no-scale");
        _p.Scheduler.Calls.Clear();
        Assert.Throws<PlatformException>(() => _p.Scale().Run(_p.Owner, app, [new FormationUpdate("web", Quantity.Absolute(1), null)]));
        Assert.Empty(_p.Scheduler.Calls);
    }

    [Fact]
    public async Task Destroying_an_app_forgets_it_and_removes_only_its_own_tarballs()
    {
        var doomed = _p.NewApp("doomed");
        var other = _p.NewApp("other");
        _p.DeploySlug().Run(doomed, _p.Owner.Id, _p.StoredSlug(doomed, TempPlatform.Web(), content: "own"), null);
        _p.StoredSlug(doomed, TempPlatform.Web(), content: "shared");
        _p.StoredSlug(other, TempPlatform.Web(), content: "shared");
        var checksums = _p.SlugStore.ChecksumsOf(doomed.Id);
        await _p.DestroyApp().RunAsync(doomed);
        Assert.Equal($"forget {doomed.Id}", _p.Scheduler.Calls[^1]);
        Assert.Equal([doomed.Id], _p.Logplex.Forgotten);
        Assert.False(_p.AppStore.Exists(doomed.Id));
        Assert.Equal(1, checksums.Count(_p.Blobs.Has)); // the shared tarball stays for the other app
        Assert.Null(_p.Domains.AppIdForHost("doomed.apps.test"));
    }

    [Fact]
    public async Task Restarting_by_name_falls_back_to_the_process_type()
    {
        var app = _p.NewApp("restart");
        _p.Scheduler.Dynos.AddRange([("web.1", "web"), ("web.2", "web")]);
        Assert.Equal(2, await new RestartDynos(_p.Scheduler).DynoOrTypeAsync(app, "web"));
        Assert.Equal(1, await new StopDynos(_p.Scheduler).DynoOrTypeAsync(app, "web.2"));
        Assert.Equal(0, await new RestartDynos(_p.Scheduler).DynoOrTypeAsync(app, "web.9")); // a dyno name never means a type
        Assert.Equal(2, await new RestartDynos(_p.Scheduler).AllAsync(app));
    }

    [Fact]
    public async Task A_one_off_is_checked_before_the_scheduler_runs_it()
    {
        var app = _p.NewApp("one-off");
        var run = new RunOneOff(_p.Scheduler);
        _p.Scheduler.Calls.Clear();
        await Assert.ThrowsAsync<PlatformException>(() => run.RunAsync(app, new OneOffRequest(" ", new Dictionary<string, string>(), null, false, false)));
        await Assert.ThrowsAsync<PlatformException>(() => run.RunAsync(app, new OneOffRequest("ls", new Dictionary<string, string>(), null, false, false), type: "web"));
        await Assert.ThrowsAsync<PlatformException>(() => run.RunAsync(app, new OneOffRequest("ls", new Dictionary<string, string> { ["1X"] = "y" }, null, false, false)));
        Assert.Empty(_p.Scheduler.Calls);
        var (dyno, attached) = await run.RunAsync(app, new OneOffRequest("ls", new Dictionary<string, string> { ["COLUMNS"] = "80" }, null, false, false));
        Assert.Equal(("run", null), (dyno.Type, attached));
        Assert.Equal(["run ls"], _p.Scheduler.Calls);
    }

    /// <summary>The release's status once its background release phase is over.</summary>
    private async Task<string> StatusAfterPhase(Nuvem.Platform.Apps.App app, Release release)
    {
        for (var i = 0; i < 200; i++)
        {
            var status = _p.Releases.Find(app, release.Id).Status;
            if (status != ReleaseStatus.Pending) return status;
            await Task.Delay(25);
        }
        throw new TimeoutException($"v{release.Version} stayed pending");
    }

    public void Dispose() => _p.Dispose();
}
