namespace Nuvem.UnitTests.Dynos;

/// <summary><c>ps:restart</c> and <c>ps:stop</c>: how many dynos they reach, and that the formation brings them back.</summary>
public sealed class RestartStopTests
{
    [Fact]
    public async Task Restart_counts_the_dynos_it_restarts_and_they_come_back_fresh()
    {
        await using var h = new SchedulerHarness();
        h.Desired.Set("a", 1, ("web", 2, "serve"), ("worker", 1, "work"));
        await h.UntilUp("a", "web.1", "web.2", "worker.1");

        Assert.Equal(3, await h.Scheduler.RestartAsync(SchedulerHarness.App("a")));

        await h.Until(() => h.Runtime.Started.Count == 6, "three new dynos");
        await h.UntilUp("a", "web.1", "web.2", "worker.1");
        Assert.Equal(3, h.Logs.Count("a", ": Restarting"));
    }

    [Fact]
    public async Task A_second_restart_right_after_the_first_counts_the_dynos_already_restarting()
    {
        await using var h = new SchedulerHarness();
        h.Desired.Set("a", 1, ("web", 2, "serve"));
        await h.UntilUp("a", "web.1", "web.2");
        foreach (var process in h.Runtime.Started) process.IgnoresSigterm = true; // they take their time to stop

        Assert.Equal(2, await h.Scheduler.RestartAsync(SchedulerHarness.App("a")));
        Assert.Equal(2, await h.Scheduler.RestartAsync(SchedulerHarness.App("a"), "web"));
        Assert.Equal(1, await h.Scheduler.RestartAsync(SchedulerHarness.App("a"), name: "web.2"));
        Assert.Equal(2, h.Logs.Count("a", ": Restarting")); // once each

        await h.Until(() => h.Runtime.Started.All(p => !p.Stops.IsEmpty), "both sent SIGTERM");
        h.Clock.Advance(h.Timings.StopGrace);
        await h.UntilUp("a", "web.1", "web.2");
    }

    [Fact]
    public async Task Restart_of_one_type_or_one_dyno_leaves_the_others()
    {
        await using var h = new SchedulerHarness();
        h.Desired.Set("a", 1, ("web", 2, "serve"), ("worker", 1, "work"));
        await h.UntilUp("a", "web.1", "web.2", "worker.1");

        Assert.Equal(1, await h.Scheduler.RestartAsync(SchedulerHarness.App("a"), "worker"));
        Assert.Equal(1, await h.Scheduler.RestartAsync(SchedulerHarness.App("a"), name: "web.2"));

        await h.Until(() => h.Runtime.Started.Count == 5, "two new dynos");
        Assert.Single(h.Runtime.Of("web.1"));
        Assert.Equal(2, h.Runtime.Of("web.2").Count);
        Assert.Equal(2, h.Runtime.Of("worker.1").Count);
    }

    [Fact]
    public async Task No_such_type_or_dyno_counts_zero()
    {
        await using var h = new SchedulerHarness();
        h.Desired.Set("a", 1, ("web", 1, "serve"));
        await h.UntilUp("a", "web.1");

        Assert.Equal(0, await h.Scheduler.RestartAsync(SchedulerHarness.App("a"), "clock"));
        Assert.Equal(0, await h.Scheduler.StopAsync(SchedulerHarness.App("a"), name: "web.7"));
        Assert.Equal(0, await h.Scheduler.RestartAsync(SchedulerHarness.App("other")));
        Assert.Single(h.Runtime.Started);
    }

    [Fact]
    public async Task Stop_counts_and_the_formation_brings_the_dyno_back()
    {
        await using var h = new SchedulerHarness();
        h.Desired.Set("a", 1, ("worker", 2, "work"));
        await h.UntilUp("a", "worker.1", "worker.2");

        Assert.Equal(2, await h.Scheduler.StopAsync(SchedulerHarness.App("a"), "worker"));

        await h.Until(() => h.Runtime.Started.Count == 4, "both back");
        await h.UntilUp("a", "worker.1", "worker.2");
        Assert.Equal(0, h.Logs.Count("a", ": Restarting"));
    }
}
