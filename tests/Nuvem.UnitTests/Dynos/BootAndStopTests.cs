using Nuvem.Platform.Dynos;

namespace Nuvem.UnitTests.Dynos;

/// <summary>R10 for a web dyno that does not bind in time; SIGTERM, then SIGKILL and R12 for a dyno that does not stop.</summary>
public sealed class BootAndStopTests
{
    [Fact]
    public async Task A_web_dyno_that_does_not_bind_within_the_boot_timeout_gets_R10_and_crashes()
    {
        await using var h = new SchedulerHarness(prepare: r => r.WebAcceptsAtOnce = false);
        h.Desired.Set("a", 1, ("web", 1, "serve"));
        await h.Until(() => h.Runtime.Of("web.1").Count == 1, "web.1 started");
        var first = h.Runtime.Of("web.1")[0];

        h.Clock.Advance(h.Timings.BootTimeout);
        await h.PassAsync();
        Assert.Equal("starting", h.StateOf("web.1")); // not past the timeout yet

        h.Clock.Advance(TimeSpan.FromSeconds(1));
        await h.Until(() => first.Exited.IsCompleted, "web.1 killed");

        var log = h.Logs.Text("a");
        Assert.Contains("heroku[web.1]: Error R10 (Boot timeout) -> Web process failed to bind to $PORT within 60 seconds of launch", log);
        Assert.Contains("heroku[web.1]: Stopping process with SIGKILL", log);
        Assert.Contains("heroku[web.1]: State changed from starting to crashed", log);
        Assert.Equal([TimeSpan.Zero], first.Stops);
        Assert.DoesNotContain(log, l => l.Contains("Process exited")); // the kill is no news: it crashed already
        // A first crash: started again at once.
        await h.Until(() => h.Runtime.Of("web.1").Count == 2, "web.1 restarted");
    }

    [Fact]
    public async Task A_dyno_that_stops_on_SIGTERM_gets_no_R12()
    {
        await using var h = new SchedulerHarness();
        h.Desired.Set("a", 1, ("worker", 1, "work"));
        await h.UntilUp("a", "worker.1");

        Assert.Equal(1, await h.Scheduler.StopAsync(SchedulerHarness.App("a"), "worker"));

        await h.Until(() => h.Runtime.Of("worker.1").Count == 2, "worker.1 back");
        Assert.Equal(1, h.Logs.Count("a", "heroku[worker.1]: Stopping all processes with SIGTERM"));
        Assert.Equal(0, h.Logs.Count("a", "R12"));
        Assert.Equal([h.Timings.StopGrace], h.Runtime.Of("worker.1")[0].Stops);
    }

    [Fact]
    public async Task A_dyno_still_running_after_the_stop_grace_is_killed_with_R12()
    {
        await using var h = new SchedulerHarness();
        h.Desired.Set("a", 1, ("worker", 1, "work"));
        await h.UntilUp("a", "worker.1");
        var stubborn = h.Runtime.Of("worker.1")[0];
        stubborn.IgnoresSigterm = true;

        await h.Scheduler.RestartAsync(SchedulerHarness.App("a"));
        await h.Until(() => h.Logs.Count("a", "SIGTERM") == 1 && !stubborn.Stops.IsEmpty, "SIGTERM");
        h.Clock.Advance(h.Timings.StopGrace - TimeSpan.FromSeconds(1));
        await h.PassAsync();
        Assert.False(stubborn.Exited.IsCompleted);

        h.Clock.Advance(TimeSpan.FromSeconds(1));
        await h.Until(() => h.Logs.Count("a", "SIGKILL") == 1, "R12");
        var log = h.Logs.Text("a");
        Assert.Contains("heroku[worker.1]: Error R12 (Exit timeout) -> At least one process failed to exit within 30 seconds of SIGTERM", log);
        Assert.Contains("heroku[worker.1]: Stopping remaining processes with SIGKILL", log);
        Assert.True(log.ToList().IndexOf("heroku[worker.1]: Stopping all processes with SIGTERM") < log.ToList().IndexOf("heroku[worker.1]: Stopping remaining processes with SIGKILL"));
        await h.Until(() => h.Runtime.Of("worker.1").Count == 2, "worker.1 back");
    }

    [Fact]
    public async Task A_web_dyno_drains_before_SIGTERM()
    {
        await using var h = new SchedulerHarness(new DynoSettings { WebDrain = TimeSpan.FromSeconds(1) });
        h.Desired.Set("a", 1, ("web", 1, "serve"));
        await h.UntilUp("a", "web.1");
        var web = h.Runtime.Of("web.1")[0];

        await h.Scheduler.StopAsync(SchedulerHarness.App("a"), name: "web.1");
        await h.PassAsync();
        Assert.Empty(h.Scheduler.Resolve("a.example")!.Backends); // out of the router at once
        Assert.Empty(web.Stops); // still draining

        // Time moves in small steps until SIGTERM: at least the drain must have passed by then.
        var waited = TimeSpan.Zero;
        await h.Until(() =>
        {
            if (!web.Stops.IsEmpty) return true;
            h.Clock.Advance(TimeSpan.FromMilliseconds(100));
            waited += TimeSpan.FromMilliseconds(100);
            return false;
        }, "SIGTERM after the drain");
        Assert.True(waited >= TimeSpan.FromSeconds(1), $"SIGTERM after {waited}");
        await h.UntilUp("a", "web.1");
        Assert.Equal(2, h.Runtime.Of("web.1").Count);
    }
}
