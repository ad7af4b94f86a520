using Nuvem.Platform.Apps;
using Nuvem.Platform.Events;
using Nuvem.Platform.Operations;
using Nuvem.Platform.Releases;
using Nuvem.Platform.Webhooks;
using Nuvem.UnitTests.Stores;

namespace Nuvem.UnitTests.Webhooks;

/// <summary>The operations tell their releases to the app event listeners; the dispatcher records an event and a
/// delivery per webhook that includes it, and the delivery's attempts end in its status.</summary>
public sealed class WebhookDispatchTests : IDisposable
{
    private readonly TempPlatform _p = new();

    private sealed class Recorder : IAppEvents
    {
        public List<(string App, long Version, bool Deploy)> Seen { get; } = [];
        public void ReleaseMade(App app, Release release, bool deploy) => Seen.Add((app.Name, release.Version, deploy));
    }

    private sealed class Broken : IAppEvents
    {
        public void ReleaseMade(App app, Release release, bool deploy) => throw new InvalidOperationException("listener bug");
    }

    [Fact]
    public void Deploys_config_changes_and_rollbacks_are_told_once_each_and_a_broken_listener_stops_nothing()
    {
        var app = _p.NewApp("told");
        var recorder = new Recorder();
        IAppEvents[] listeners = [new Broken(), recorder];
        var slug = _p.StoredSlug(app, TempPlatform.Web(), commit: "0123456789abcdef");
        new DeploySlug(_p.Releases, _p.ReleasePhase, _p.Scheduler, listeners).Run(app, _p.Owner.Id, slug, null);
        new SetConfigVars(_p.Database, _p.ConfigVars, _p.Releases, _p.ReleasePhase, _p.Scheduler, listeners)
            .Run(app, _p.Owner.Id, new Dictionary<string, string?> { ["A"] = "1" });
        new Rollback(_p.Releases, _p.ReleasePhase, _p.Scheduler, listeners).Run(app, _p.Owner.Id, "2");
        Assert.Equal([("told", 2L, true), ("told", 3L, false), ("told", 4L, false)], recorder.Seen);
    }

    [Fact]
    public async Task An_event_is_recorded_for_matching_webhooks_and_an_unreachable_url_ends_failed()
    {
        var app = _p.NewApp("hooked");
        var store = new WebhookStore(_p.Database);
        var service = new WebhookService(store);
        var hook = service.Add(app, ["api:release"], "sync", "http://127.0.0.1:1/", "s", null); // nothing listens on port 1
        service.Add(app, ["api:build"], "notify", "http://127.0.0.1:1/other", null, null);
        using var dispatcher = new WebhookDispatcher(store, new RetrySchedule(TimeSpan.FromMilliseconds(10), MaxAttempts: 2));

        dispatcher.ReleaseMade(app, _p.Releases.Find(app, "1"), deploy: false);

        var e = Assert.Single(service.Events(app));
        Assert.Equal("api:release", e.Include);
        Assert.Contains("\"resource\":\"release\"", e.PayloadJson);
        var delivery = Assert.Single(service.Deliveries(app));
        Assert.Equal(hook.Id, delivery.WebhookId);
        for (var i = 0; i < 100 && service.Delivery(app, delivery.Id).Status != DeliveryStatus.Failed; i++) await Task.Delay(50);
        var done = service.Delivery(app, delivery.Id);
        Assert.Equal((DeliveryStatus.Failed, 2L, (long?)null), (done.Status, done.NumAttempts, done.LastCode));
        Assert.NotNull(done.LastError);
        Assert.NotNull(done.LastAttemptAt);
    }

    public void Dispose() => _p.Dispose();
}

/// <summary>The builder tells a build's start and end (the api:build events) through its releaser.</summary>
public sealed class BuildEventTests : IDisposable
{
    private readonly Nuvem.UnitTests.Builds.BuilderHarness _platform = new();

    [Fact]
    public async Task A_build_is_told_when_created_and_when_finished()
    {
        var app = _platform.App("evented");
        await _platform.Builder.Start(app, _platform.Account.Id, Nuvem.UnitTests.Builds.BuilderHarness.Source("cafe1234")).Completion;
        Assert.Equal([("pending", true), ("succeeded", false)], _platform.Releaser.BuildChanges);
    }

    [Fact]
    public void The_build_body_names_the_app_source_slug_and_release()
    {
        var app = _platform.App("bodied");
        var build = new Nuvem.Platform.Builds.Build { Id = "b-1", AppId = app.Id, Status = "succeeded", SourceVersion = "cafe1234", SlugId = "s-1", ReleaseId = "r-1" };
        var data = WebhookPayload.Build(build, app);
        Assert.Equal(("b-1", "bodied", "cafe1234", "s-1", "r-1"), ((string?)data["id"], (string?)data["app"]!["name"],
            (string?)data["source_blob"]!["version"], (string?)data["slug"]!["id"], (string?)data["release"]!["id"]));
    }

    public void Dispose() => (_platform as IDisposable)?.Dispose();
}
