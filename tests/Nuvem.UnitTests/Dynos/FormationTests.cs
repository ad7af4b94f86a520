namespace Nuvem.UnitTests.Dynos;

/// <summary>A formation starts as dynos named after its process types, and follows scaling.</summary>
public sealed class FormationTests
{
    [Fact]
    public async Task A_formation_starts_as_web_1_to_N_and_worker_1()
    {
        await using var h = new SchedulerHarness();
        h.Desired.Set("a", 1, ("web", 3, "serve"), ("worker", 1, "work"));

        await h.UntilUp("a", "web.1", "web.2", "web.3", "worker.1");

        Assert.Equal(4, h.Runtime.Started.Count);
        var web2 = h.Runtime.Of("web.2").Single().Spec;
        Assert.Equal(("web", "serve", "release-a-1", 1L, "slug-1"), (web2.Type, web2.Command, web2.ReleaseId, web2.ReleaseVersion, web2.Slug.Id));
        Assert.All(h.List(), d => Assert.Equal(1, d.ReleaseVersion));
    }

    [Fact]
    public async Task Each_start_is_logged_as_heroku_logs_it()
    {
        await using var h = new SchedulerHarness();
        h.Desired.Set("a", 1, ("web", 1, "serve"));

        await h.UntilUp("a", "web.1");

        Assert.Equal(["heroku[web.1]: Starting process with command `serve`", "heroku[web.1]: State changed from starting to up"], h.Logs.Text("a"));
    }

    [Fact]
    public async Task A_web_dyno_is_up_only_once_it_accepts_connections()
    {
        await using var h = new SchedulerHarness(prepare: r => r.WebAcceptsAtOnce = false);
        h.Desired.Set("a", 1, ("web", 1, "serve"), ("worker", 1, "work"));

        await h.Until(() => h.StateOf("worker.1") == "up" && h.Runtime.Of("web.1").Count == 1, "the worker up and web.1 started");
        await h.PassAsync();
        Assert.Equal("starting", h.StateOf("web.1"));
        Assert.Empty(h.Scheduler.Resolve("a.example")!.Backends);

        h.Runtime.Of("web.1").Single().Accepts = true;
        await h.Until(() => h.StateOf("web.1") == "up", "web.1 up");
        Assert.Equal("web.1", Assert.Single(h.Scheduler.Resolve("a.example")!.Backends).Dyno);
    }

    [Fact]
    public async Task Scaling_down_stops_the_highest_numbered_dynos()
    {
        await using var h = new SchedulerHarness();
        h.Desired.Set("a", 1, ("web", 3, "serve"));
        await h.UntilUp("a", "web.1", "web.2", "web.3");

        h.Desired.Set("a", 1, ("web", 1, "serve"));
        await h.UntilUp("a", "web.1");

        Assert.Single(h.Runtime.Of("web.1"));
        Assert.False(h.Runtime.Of("web.1").Single().Exited.IsCompleted);
        Assert.All(h.Runtime.Of("web.2").Concat(h.Runtime.Of("web.3")), p => Assert.Equal(143, p.Exited.Result));
        Assert.Equal(1, h.Logs.Count("a", "heroku[web.3]: Stopping all processes with SIGTERM"));
        Assert.Equal(1, h.Logs.Count("a", "heroku[web.3]: State changed from up to down"));
    }

    [Fact]
    public async Task An_app_without_a_release_runs_nothing()
    {
        await using var h = new SchedulerHarness();
        h.Desired.SetIdle("a");

        await h.PassAsync();

        Assert.Empty(h.Runtime.Started);
        Assert.Empty(h.List());
    }

    [Fact]
    public async Task A_failed_launch_is_a_platform_error_and_a_crash()
    {
        await using var h = new SchedulerHarness(prepare: r => r.StartFailure = new IOException("no slug here"));
        h.Desired.Set("a", 1, ("worker", 1, "work"));

        await h.Until(() => h.StateOf("worker.1") == "crashed", "worker.1 crashed");

        Assert.Contains("heroku[worker.1]: Error R99 (Platform error) -> Failed to launch the dyno: no slug here", h.Logs.Text("a"));
    }

    [Fact]
    public async Task A_forgotten_app_is_forgotten_by_the_runtime_once_its_dynos_stopped()
    {
        await using var h = new SchedulerHarness();
        h.Desired.Set("a", 1, ("worker", 1, "work"));
        await h.UntilUp("a", "worker.1");

        h.Desired.Remove("a");
        await h.Scheduler.ForgetAsync("a");

        // Its stop is under way (off the loop) before the runtime hears of it.
        Assert.Equal(["a"], h.Runtime.Forgotten);
        Assert.True(h.Runtime.Of("worker.1")[0].Stops.Count <= 1);
        await h.Until(() => h.Logs.Count("a", "Stopping all processes with SIGTERM") == 1 && h.Runtime.Of("worker.1")[0].Exited.IsCompleted, "worker.1 stopped");
    }

    [Fact]
    public async Task Shutting_down_stops_every_dyno_and_the_runtime()
    {
        var h = new SchedulerHarness();
        h.Desired.Set("a", 1, ("web", 1, "serve"), ("worker", 1, "work"));
        await h.UntilUp("a", "web.1", "worker.1");

        await h.DisposeAsync();

        Assert.All(h.Runtime.Started, p => Assert.Equal([h.Timings.StopGrace], p.Stops));
        Assert.True(h.Runtime.ShutDown);
    }
}
