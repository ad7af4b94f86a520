using Nuvem.Platform.Releases;

namespace Nuvem.UnitTests.Stores;

/// <summary>The current-release rule: the newest release that succeeded; pending and failed releases never run.</summary>
public sealed class ReleaseStoreTests : IDisposable
{
    private readonly TempPlatform _p = new();
    private static readonly Dictionary<string, string> WithPhase = new() { ["web"] = "./server", ["release"] = "./migrate" };

    [Fact]
    public void A_new_app_has_its_initial_release_current()
    {
        var app = _p.NewApp("fresh");
        var current = _p.ReleaseStore.Current(app.Id)!;
        Assert.Equal((1L, "Initial release", true), (current.Version, current.Description, current.Current));
    }

    [Fact]
    public void A_pending_release_is_not_current_and_a_failed_one_never_becomes_it()
    {
        var app = _p.NewApp("phases");
        var v2 = _p.Releases.Deploy(app, _p.Owner.Id, _p.StoredSlug(app, TempPlatform.Web()), null);
        var v3 = _p.Releases.Deploy(app, _p.Owner.Id, _p.StoredSlug(app, WithPhase), null);
        Assert.Equal(ReleaseStatus.Pending, v3.Status);
        Assert.Equal(v2.Id, _p.ReleaseStore.Current(app.Id)!.Id);

        _p.Releases.Complete(app, v3, succeeded: false);
        Assert.Equal(v2.Id, _p.ReleaseStore.Current(app.Id)!.Id);
        Assert.Equal([false, true, false], _p.ReleaseStore.List(app.Id).Select(r => r.Current).ToArray());
    }

    [Fact]
    public void A_succeeded_release_phase_makes_the_release_current()
    {
        var app = _p.NewApp("phase-ok");
        var pending = _p.Releases.Deploy(app, _p.Owner.Id, _p.StoredSlug(app, WithPhase), null);
        var done = _p.Releases.Complete(app, pending, succeeded: true);
        Assert.True(done.Current);
        Assert.Equal(["release", "web"], _p.FormationStore.List(app.Id).Select(f => f.Type).ToArray());
    }

    [Fact]
    public void A_config_release_keeps_the_current_slug_not_a_pending_ones()
    {
        var app = _p.NewApp("keeps");
        var running = _p.StoredSlug(app, TempPlatform.Web());
        _p.Releases.Deploy(app, _p.Owner.Id, running, null);
        _p.Releases.Deploy(app, _p.Owner.Id, _p.StoredSlug(app, WithPhase), null); // pending
        var id = _p.Database.Write((c, t) => _p.Releases.Append(c, t, app.Id, "Set A config vars", _p.Owner.Id, slugId: null, """{"A":"1"}""", out var status));
        var release = _p.Releases.Find(app, id);
        Assert.Equal((running, ReleaseStatus.Succeeded), (release.SlugId, release.Status));
    }

    [Fact]
    public void Slices_are_pages_by_version()
    {
        var app = _p.NewApp("pages");
        for (var i = 0; i < 5; i++)
            _p.Database.Write((c, t) => _p.Releases.Append(c, t, app.Id, $"r{i}", null, null, "{}"));
        Assert.Equal([6L, 5L], _p.ReleaseStore.Slice(app.Id, null, false, null, 2, descending: true).Select(r => r.Version).ToArray());
        Assert.Equal([3L, 4L], _p.ReleaseStore.Slice(app.Id, 2, true, 4, 10, descending: false).Select(r => r.Version).ToArray());
        Assert.Equal(4, _p.Releases.Find(_p.Apps.Find(_p.Owner, "pages"), "v4").Version);
    }

    [Fact]
    public void Interrupted_release_phases_are_failed_at_start()
    {
        var app = _p.NewApp("interrupted");
        var pending = _p.Releases.Deploy(app, _p.Owner.Id, _p.StoredSlug(app, WithPhase), null);
        var failed = _p.Releases.FailInterrupted(Path.Combine(_p.DataDir, "releases"), "The platform restarted.");
        Assert.Equal([pending.Id], failed.Select(r => r.Id).ToArray());
        Assert.Equal(ReleaseStatus.Failed, _p.Releases.Find(app, pending.Id).Status);
        Assert.Contains("The platform restarted.", File.ReadAllText(failed[0].OutputPath!));
    }

    public void Dispose() => _p.Dispose();
}
